import ANS

/// One latent-variable step of bits-back coding, written once as a (push, pop) pair in craystack's style
/// (`bb_ans.py`): an observed value `x`, a latent `z`, the approximate posterior q(z | x) and the
/// likelihood p(x | z). The prior of `z` is not part of the step: in the Bit-Swap chain it is the next
/// step's likelihood (or N(0, I) at the end), so each latent is pushed by the step above it.
///
///     push(x):       z ← pop with q(· | x)     (takes bits back)
///                    push x with p(· | z)
///     pop(given z):  x ← pop with p(· | z)
///                    push z with q(· | x)      (gives the bits back)
///
/// `pop(given:)` is the exact inverse of `push` provided both codecs are built from the same inputs by the
/// same deterministic arithmetic on both sides (docs/DESIGN.md §3).
protocol BitsBackStep {
    associatedtype Observed
    associatedtype Latent
    associatedtype Posterior: StackCodec where Posterior.Value == Latent
    associatedtype Likelihood: StackCodec where Likelihood.Value == Observed

    /// q(z | x).
    func posterior(given x: Observed) throws -> Posterior
    /// p(x | z).
    func likelihood(given z: Latent) throws -> Likelihood
}

extension BitsBackStep {
    /// Encodes `x`, taking the latent's bits back from the stack. `lowest` is lowered to the message's
    /// content between the pop and the push: the deepest the step takes the stack.
    func push(_ x: Observed, onto message: inout Message, lowest: inout Double) throws -> Latent {
        let z = try posterior(given: x).pop(from: &message)
        lowest = min(lowest, message.contentBits)
        try likelihood(given: z).push(x, onto: &message)
        return z
    }

    /// Decodes `x` given the latent `z` that the step above popped, and gives the latent's bits back.
    func pop(given z: Latent, from message: inout Message) throws -> Observed {
        let x = try likelihood(given: z).pop(from: &message)
        try posterior(given: x).push(z, onto: &message)
        return x
    }
}
