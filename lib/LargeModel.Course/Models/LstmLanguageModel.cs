using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LargeModel.Course.Models;

/// <summary>
/// The recurrent language model before attention: embed each token, run an LSTM over the sequence (its hidden state
/// carries what came before), and score the next token from each hidden state.
/// </summary>
public sealed class LstmLanguageModel : nn.Module<Tensor, Tensor>
{
    readonly Embedding embedding;
    readonly LSTM lstm;
    readonly Linear head;

    public LstmLanguageModel(int vocabSize, int embedding = 64, int hidden = 256, int layers = 1, double dropout = 0.0)
        : base(nameof(LstmLanguageModel))
    {
        VocabSize = vocabSize;
        this.embedding = nn.Embedding(vocabSize, embedding);
        // batchFirst: inputs are (B, T, E) like everywhere else in the course. Dropout acts between stacked layers.
        lstm = nn.LSTM(embedding, hidden, numLayers: layers, batchFirst: true, dropout: layers > 1 ? dropout : 0.0);
        head = nn.Linear(hidden, vocabSize);
        RegisterComponents();
    }

    public int VocabSize { get; }

    /// <summary>idx <c>(B, T)</c> → logits <c>(B, T, V)</c>. The state starts at zero for every call.</summary>
    public override Tensor forward(Tensor idx)
    {
        var (output, hidden, cell) = lstm.forward(embedding.forward(idx));
        hidden.Dispose();
        cell.Dispose();
        return head.forward(output);
    }

    public long CountParameters() => parameters().Sum(p => p.numel());
}
