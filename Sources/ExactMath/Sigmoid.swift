// The logistic function and softplus, from ExactMath.exp / log1p.

extension ExactMath {
    /// The logistic function 1/(1 + e^−x), within a few ulp, in [0, 1]; never overflows
    /// (for x < 0 it is evaluated as e^x/(1 + e^x)).
    @inlinable
    public static func sigmoid(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + exp(-x)) }
        let e = exp(x)
        return e / (1 + e)
    }

    /// softplus(x) = log(1 + e^x), within a few ulp, without overflow: x + log1p(e^−x) for x > 0.
    @inlinable
    public static func softplus(_ x: Double) -> Double {
        if x > 0 { return x + log1p(exp(-x)) }
        return log1p(exp(x))
    }

    /// The logistic function for `Float`, computed in `Double` and rounded once.
    @inlinable
    @_disfavoredOverload  // so that `ExactMath.exp(1)` (integer literal) picks the Double version
    public static func sigmoid(_ x: Float) -> Float { Float(sigmoid(Double(x))) }
}
