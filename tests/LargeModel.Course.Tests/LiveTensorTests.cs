namespace LargeModel.Course.Tests;

public class LiveTensorTests
{
    [Fact]
    public void A_training_step_in_a_dispose_scope_leaves_the_live_tensor_count_where_it_started()
    {
        var model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1));
        var optimizer = optim.Adam(model.parameters(), 0.01);
        using var x = randn(16, 4);
        using var y = randn(16, 1);
        void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.call(x), y);
            loss.backward();
            optimizer.step();
        }
        Step(); // the first step creates the gradients and Adam's state, which then live on

        long growth = LiveTensors.Growth(() => { for (int i = 0; i < 5; i++) Step(); });

        Assert.Equal(0, growth);
    }

    [Fact]
    public void The_count_sees_tensors_that_are_not_disposed()
    {
        var leaked = new List<Tensor>();
        long growth = LiveTensors.Growth(() => { for (int i = 0; i < 3; i++) leaked.Add(ones(2) * 2); });
        Assert.True(growth >= 3, $"expected at least 3 live tensors, counted {growth}");
        leaked.ForEach(t => t.Dispose());
    }
}
