namespace LargeModel.Course.Tests;

[Collection(nameof(Models.ModelsCollection))] // seeds torch's global generator and depends on what it draws next
public class ReproducibilityTests
{
    static (float[] Weights, int Shuffle, float Loss) TrainTinyModel(long seed)
    {
        Seed.All(seed);
        using var scope = NewDisposeScope();
        var x = randn(32, 3);
        var y = x.matmul(tensor(new float[] { 1, -2, 0.5f }).unsqueeze(1));
        var model = nn.Linear(3, 1);
        var optimizer = optim.Adam(model.parameters(), 0.05);
        float loss = 0;
        for (int i = 0; i < 10; i++)
        {
            using var step = NewDisposeScope();
            optimizer.zero_grad();
            var l = nn.functional.mse_loss(model.call(x), y);
            l.backward();
            optimizer.step();
            loss = l.item<float>();
        }
        return (model.weight!.data<float>().ToArray(), Seed.Random.Next(), loss);
    }

    [Fact]
    public void The_same_seed_gives_identical_results_twice()
    {
        var first = TrainTinyModel(42);
        var second = TrainTinyModel(42);
        Assert.Equal(first.Weights, second.Weights);
        Assert.Equal(first.Shuffle, second.Shuffle);
        Assert.Equal(first.Loss, second.Loss);
    }

    [Fact]
    public void A_different_seed_gives_different_results()
    {
        var first = TrainTinyModel(1);
        var second = TrainTinyModel(2);
        Assert.NotEqual(first.Weights, second.Weights);
    }
}
