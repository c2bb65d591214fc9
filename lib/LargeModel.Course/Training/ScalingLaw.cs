using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace LargeModel.Course.Training;

/// <summary>
/// A power law with a floor, <c>L(N) = a·N^(−α) + L∞</c>: how a loss falls with model size N (or data, or compute)
/// in the scaling-law papers (Kaplan et al. 2020; Hoffmann et al. 2022). <see cref="Floor"/> is the loss no size
/// gets below: the text's own unpredictability, plus whatever the fixed budget of data or steps costs every model.
/// </summary>
/// <param name="A">The scale a of the part that size removes.</param>
/// <param name="Alpha">The exponent α: doubling N multiplies the removable part, L − L∞, by 2^(−α).</param>
/// <param name="Floor">L∞, the loss an infinitely large model would reach under the same conditions.</param>
public sealed record ScalingLaw(double A, double Alpha, double Floor)
{
    /// <summary>The loss the law predicts at size <paramref name="n"/>.</summary>
    public double Loss(double n) => A * Math.Pow(n, -Alpha) + Floor;

    /// <summary>
    /// Least-squares fit to measured (size, loss) points, on a log scale: it minimises Σ (ln Lᵢ − ln L(Nᵢ))², so every
    /// point counts by its relative error, whether its loss is 3 or 0.3. Needs at least three points with different
    /// sizes and positive losses.
    /// </summary>
    /// <remarks>
    /// Two stages. For a fixed floor the law is a straight line, ln(L − L∞) = ln a − α·ln N, which linear least
    /// squares solves exactly; a scan over floors from 0 to just under the smallest loss gives a starting point that
    /// is close to the best. Levenberg–Marquardt (MathNet.Numerics) then refines all three numbers together. The
    /// parameters it moves are (ln a, α, L∞), so a stays positive, with L∞ kept between 0 and the smallest loss.
    /// </remarks>
    public static ScalingLaw Fit(IReadOnlyList<double> sizes, IReadOnlyList<double> losses)
    {
        if (sizes.Count != losses.Count)
            throw new ArgumentException($"Give one loss per size: {sizes.Count} sizes, {losses.Count} losses.", nameof(losses));
        if (sizes.Distinct().Count() < 3)
            throw new ArgumentException("A power law with a floor has three numbers to fit: give at least three different sizes.", nameof(sizes));
        if (sizes.Any(n => !(n > 0)) || losses.Any(l => !(l > 0) || !double.IsFinite(l)))
            throw new ArgumentException("Sizes and losses must be positive, finite numbers.", nameof(losses));

        double[] logN = sizes.Select(n => Math.Log(n)).ToArray();
        double[] logL = losses.Select(l => Math.Log(l)).ToArray();
        double lowest = losses.Min();

        // Stage 1: scan the floor; for each, the best a and α come from a straight-line fit in log-log space.
        var start = (Error: double.PositiveInfinity, Law: new ScalingLaw(1, 0, 0));
        for (int i = 0; i < 200; i++)
        {
            double floor = lowest * i / 200.0;
            var (intercept, slope) = MathNet.Numerics.Fit.Line(logN, losses.Select(l => Math.Log(l - floor)).ToArray());
            var law = new ScalingLaw(Math.Exp(intercept), -slope, floor);
            double error = SquaredLogError(law, sizes, logL);
            if (error < start.Error) start = (error, law);
        }

        // Stage 2: refine (ln a, α, L∞) together, with the model ln L = ln(a·e^(−α·ln N) + L∞).
        static Vector<double> Model(Vector<double> p, Vector<double> x) =>
            x.Map(ln => Math.Log(Math.Exp(p[0] - p[1] * ln) + p[2]));
        static Matrix<double> Jacobian(Vector<double> p, Vector<double> x)
        {
            var j = Matrix<double>.Build.Dense(x.Count, 3);
            for (int i = 0; i < x.Count; i++)
            {
                double power = Math.Exp(p[0] - p[1] * x[i]), total = power + p[2];
                j[i, 0] = power / total;
                j[i, 1] = -x[i] * power / total;
                j[i, 2] = 1 / total;
            }
            return j;
        }
        var build = Vector<double>.Build;
        var objective = ObjectiveFunction.NonlinearModel(Model, Jacobian, build.DenseOfArray(logN), build.DenseOfArray(logL));
        try
        {
            var result = new LevenbergMarquardtMinimizer(maximumIterations: 1000).FindMinimum(objective,
                initialGuess: build.DenseOfArray([Math.Log(start.Law.A), start.Law.Alpha, start.Law.Floor]),
                lowerBound: build.DenseOfArray([-50, 0, 0]),
                upperBound: build.DenseOfArray([50, 10, lowest * 0.9999]));
            var p = result.MinimizingPoint;
            var refined = new ScalingLaw(Math.Exp(p[0]), p[1], p[2]);
            // Keep the scan's answer if the refinement wandered off (it starts from the scan, so it rarely does).
            return SquaredLogError(refined, sizes, logL) <= start.Error ? refined : start.Law;
        }
        catch (MaximumIterationsException)
        {
            return start.Law;
        }
    }

    /// <summary>
    /// The share of the variation of ln L across the points that the law explains: 1 − Σ(ln Lᵢ − ln L(Nᵢ))² / Σ(ln Lᵢ − mean)².
    /// 1 is a perfect fit; 0 is no better than predicting the mean loss for every size.
    /// </summary>
    public double RSquared(IReadOnlyList<double> sizes, IReadOnlyList<double> losses)
    {
        double[] logL = losses.Select(l => Math.Log(l)).ToArray();
        double mean = logL.Average();
        return 1 - SquaredLogError(this, sizes, logL) / logL.Sum(l => (l - mean) * (l - mean));
    }

    /// <summary>The measured losses relative to the law's: Lᵢ / L(Nᵢ) − 1 for each point (0.02 is 2% above the line).</summary>
    public double[] RelativeResiduals(IReadOnlyList<double> sizes, IReadOnlyList<double> losses) =>
        sizes.Zip(losses, (n, l) => l / Loss(n) - 1).ToArray();

    static double SquaredLogError(ScalingLaw law, IReadOnlyList<double> sizes, double[] logL)
    {
        double sum = 0;
        for (int i = 0; i < logL.Length; i++)
        {
            double predicted = law.Loss(sizes[i]);
            double d = predicted > 0 ? logL[i] - Math.Log(predicted) : double.PositiveInfinity;
            sum += d * d;
        }
        return double.IsNaN(sum) ? double.PositiveInfinity : sum;
    }

    public override string ToString() => FormattableString.Invariant($"L(N) = {A:G4}·N^(−{Alpha:F3}) + {Floor:F3}");
}
