import ExactMath

/// A dense layer y = W·x + b (PyTorch `Linear`, weight `[out, in]`), evaluated as
/// y[o] = (Σ_{i=0…in−1} W[o][i]·x[i], accumulated from 0 in increasing i with FMA) + b[o].
struct LinearLayer {
    let weight: [Float]
    let bias: [Float]
    let inputs: Int
    let outputs: Int

    init(checkpoint: Checkpoint, name: String, inputs: Int, outputs: Int) throws {
        weight = try checkpoint.tensor(name + ".weight")
        bias = try checkpoint.tensor(name + ".bias")
        self.inputs = inputs
        self.outputs = outputs
    }

    func apply(_ x: [Float]) -> [Float] {
        precondition(x.count == inputs)
        return (0..<outputs).map { o in
            var sum: Float = 0
            for i in 0..<inputs { sum = sum.addingProduct(weight[o * inputs + i], x[i]) }
            return sum + bias[o]
        }
    }
}

/// SiLU of each element, with the lane arithmetic of `ExactMath.silu(_: SIMD8<Float>)`.
func silu(_ x: [Float]) -> [Float] { x.map { ExactMath.silu($0) } }
