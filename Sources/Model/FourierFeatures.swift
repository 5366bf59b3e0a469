import ExactMath

/// The network input h0 = [z, sin(u_{n1}) … sin(u_{nk}), cos(u_{n1}) … cos(u_{nk})] of NETWORK.md step 1,
/// u_n = z·w_n with w_n = float32(2π·2ⁿ) (one float32 multiply), sin/cos by `ExactMath.sinCos`
/// (float64 evaluation, one rounding). Channel order: z c (c = 0, 1, 2), then sin for each n and c,
/// then cos for each n and c.
struct FourierFeatures {
    let weights: [Float]

    init(exponents: [Int]) {
        weights = exponents.map { n in Float(2 * Double.pi * Double(sign: .plus, exponent: n, significand: 1)) }
    }

    var channels: Int { 3 * (1 + 2 * weights.count) }

    /// Writes h0 for the region rows `rows`, columns `0..<width` of `map` from planar z.
    /// - Parameters:
    ///   - z: planar `[3][imageHeight][imageWidth]`; map pixel (y, x) is image pixel (y + originY, x + originX).
    func fill(
        _ map: FeatureMap, rows: Range<Int>, z: UnsafePointer<Float>, imageWidth: Int, imageHeight: Int,
        originX: Int, originY: Int
    ) {
        let k = weights.count
        let width = map.width
        let plane = imageWidth * imageHeight
        for y in rows {
            for c in 0..<3 {
                let source = z + c * plane + (y + originY) * imageWidth + originX
                var x = 0
                while x < width {
                    let lanes = min(4, width - x)
                    var values = SIMD4<Float>(repeating: source[x])
                    for lane in 0..<lanes { values[lane] = source[x + lane] }
                    for lane in 0..<lanes { map.pixel(y, x + lane)[c] = values[lane] }
                    for (ni, w) in weights.enumerated() {
                        let (s, co) = ExactMath.sinCos(values * w)
                        for lane in 0..<lanes {
                            let p = map.pixel(y, x + lane)
                            p[3 + 3 * ni + c] = s[lane]
                            p[3 + 3 * k + 3 * ni + c] = co[lane]
                        }
                    }
                    x += 4
                }
            }
        }
    }
}
