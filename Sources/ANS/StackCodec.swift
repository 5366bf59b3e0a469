import Parallelism

/// A codec in craystack's sense: a pair of inverse operations on a message used as a stack.
///
/// Law (what every conforming type guarantees, and the tests check): for any message `m` and any value
/// `v` the codec can represent, `push(v, onto: &m)` followed by `pop(from: &m)` returns `v` and leaves
/// `m` exactly as it was. `pop` works on arbitrary bits (it *samples* from the codec's distribution with
/// whatever lies on the stack), which is what bits-back coding relies on.
public protocol StackCodec {
    associatedtype Value
    /// Encodes `value` onto the top of `message`.
    func push(_ value: Value, onto message: inout Message) throws
    /// Decodes a value from the top of `message` (the inverse of `push`).
    func pop(from message: inout Message) throws -> Value
}

/// Independent discretized Gaussians, one per element, on the grid of `grid`: N(means[j], σ_j) with one
/// shared σ or one σ per element. Values are grid indices. Element j is always coded under its own
/// distribution; `inReverseOrder` only changes the order in which the elements go onto the stack.
public struct GaussianCodec: StackCodec {
    /// The standard deviations: one for every element, or one each.
    public enum Deviations {
        case shared(Double)
        case perElement([Float])
    }

    public let means: [Float]
    public let deviations: Deviations
    public let grid: DiscretizedGaussian
    /// Whether the last element is coded first (see `inReverseOrder`).
    public let codesLastElementFirst: Bool
    /// Threads for the per-element work of a push or pop (see `Message.pushGaussian`); the message is the
    /// same for every count.
    public private(set) var threads = 1

    public init(means: [Float], deviations: Deviations, grid: DiscretizedGaussian) {
        self.init(means: means, deviations: deviations, grid: grid, codesLastElementFirst: false)
    }

    public init(means: [Float], standardDeviation: Double, grid: DiscretizedGaussian) {
        self.init(means: means, deviations: .shared(standardDeviation), grid: grid)
    }

    private init(means: [Float], deviations: Deviations, grid: DiscretizedGaussian, codesLastElementFirst: Bool) {
        self.means = means
        self.deviations = deviations
        self.grid = grid
        self.codesLastElementFirst = codesLastElementFirst
    }

    /// The same distributions with the elements coded in reversed order. A pop reads the bits that the
    /// previous push left on top of the stack; reversing pairs each element with a far-away one, which
    /// breaks the feedback between an element's successive latents (`BitsBackChain`).
    public var inReverseOrder: GaussianCodec {
        var codec = GaussianCodec(means: means, deviations: deviations, grid: grid, codesLastElementFirst: !codesLastElementFirst)
        codec.threads = threads
        return codec
    }

    /// The same codec, doing its per-element work on `threads` threads (same bytes).
    public func onThreads(_ threads: Int) -> GaussianCodec {
        var codec = self
        codec.threads = Swift.max(1, threads)
        return codec
    }

    public func push(_ value: [Int32], onto message: inout Message) throws {
        guard codesLastElementFirst else { return try push(value, means: means, deviations: deviations, onto: &message) }
        try push(
            Self.reversed(value, threads: threads), means: Self.reversed(means, threads: threads),
            deviations: deviations.reversed(threads: threads), onto: &message)
    }

    public func pop(from message: inout Message) throws -> [Int32] {
        guard codesLastElementFirst else { return try pop(means: means, deviations: deviations, from: &message) }
        let popped = try pop(
            means: Self.reversed(means, threads: threads), deviations: deviations.reversed(threads: threads), from: &message)
        return Self.reversed(popped, threads: threads)
    }

    /// `values` in reversed order, copied on up to `threads` threads.
    static func reversed<T>(_ values: [T], threads: Int) -> [T] {
        values.withUnsafeBufferPointer { v in
            let last = v.count - 1
            return ParallelLoop.map(count: v.count, threads: threads, minimumCount: 1 << 16) { v[last - $0] }
        }
    }

    private func push(_ value: [Int32], means: [Float], deviations: Deviations, onto message: inout Message) throws {
        switch deviations {
        case .shared(let sigma):
            try message.pushGaussian(value, means: means, standardDeviation: sigma, under: grid, threads: threads)
        case .perElement(let sigmas):
            try message.pushGaussian(value, means: means, standardDeviations: sigmas, under: grid, threads: threads)
        }
    }

    private func pop(means: [Float], deviations: Deviations, from message: inout Message) throws -> [Int32] {
        switch deviations {
        case .shared(let sigma):
            return try message.popGaussian(means: means, standardDeviation: sigma, under: grid, threads: threads)
        case .perElement(let sigmas):
            return try message.popGaussian(means: means, standardDeviations: sigmas, under: grid, threads: threads)
        }
    }
}

extension GaussianCodec.Deviations {
    /// Per-element deviations in reversed element order (a shared one stays as it is).
    func reversed(threads: Int) -> Self {
        switch self {
        case .shared: return self
        case .perElement(let sigmas): return .perElement(GaussianCodec.reversed(sigmas, threads: threads))
        }
    }
}
