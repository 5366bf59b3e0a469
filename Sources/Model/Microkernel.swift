/// The register-blocked multiply–accumulate kernels shared by the convolution and the matrix multiply.
///
/// Summation order (the determinism contract, docs/DESIGN.md §3): every output element starts from its initial
/// value and then accumulates, with one fused multiply-add each, the products for tap 0 … tapCount−1 and,
/// within a tap, depth index 0 … depth−1, in that order. The order does not depend on the block an
/// element falls in, on which kernel variant (6-row or 1-row) computes it, or on the thread that runs it,
/// so results are bit-identical for any thread count, tiling or image width.
///
/// Operand layout:
/// - `a`: row r of tap t starts at `a + tapOffsets[t] + r * rowStride`; its `depth` values are contiguous.
/// - `b`: packed panel of 16 (or, for the narrow kernels, 8) output columns, `b[(t * depth + k) * 16 + j]`.
/// - `initial`: row r's 16 initial values at `initial + r * initialRowStride` (stride 0 broadcasts a bias).
/// - `result`: row r's 16 results at `result + r * resultRowStride`.
enum Microkernel {
    /// Rows per register block of `multiplyAccumulate6x16`.
    static let rows = 6
    /// Output columns per packed panel.
    static let columns = 16

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// A 6 × 16 block: 12 accumulator registers, 2 weight loads and 6 broadcasts per depth step.
    @inline(__always)
    static func multiplyAccumulate6x16(
        a: UnsafePointer<Float>, rowStride: Int, tapOffsets: UnsafePointer<Int>, tapCount: Int, depth: Int,
        b: UnsafePointer<Float>, initial: UnsafePointer<Float>, initialRowStride: Int,
        result: UnsafeMutablePointer<Float>, resultRowStride: Int
    ) {
        let s = initialRowStride
        var c00 = load(initial), c01 = load(initial + 8)
        var c10 = load(initial + s), c11 = load(initial + s + 8)
        var c20 = load(initial + 2 * s), c21 = load(initial + 2 * s + 8)
        var c30 = load(initial + 3 * s), c31 = load(initial + 3 * s + 8)
        var c40 = load(initial + 4 * s), c41 = load(initial + 4 * s + 8)
        var c50 = load(initial + 5 * s), c51 = load(initial + 5 * s + 8)
        // Row r of the current tap is p[r·rowStride]; with the multiples precomputed, every broadcast is one
        // load with a base + index·4 address, no per-iteration pointer arithmetic.
        let s1 = rowStride, s2 = 2 * rowStride, s3 = 3 * rowStride, s4 = 4 * rowStride, s5 = 5 * rowStride
        var bk = b
        for t in 0..<tapCount {
            var p = a + tapOffsets[t]
            let end = p + depth
            while p < end {
                let b0 = load(bk), b1 = load(bk + 8)
                bk += 16
                var x = SIMD8<Float>(repeating: p[0])
                c00 = c00.addingProduct(x, b0); c01 = c01.addingProduct(x, b1)
                x = SIMD8<Float>(repeating: p[s1])
                c10 = c10.addingProduct(x, b0); c11 = c11.addingProduct(x, b1)
                x = SIMD8<Float>(repeating: p[s2])
                c20 = c20.addingProduct(x, b0); c21 = c21.addingProduct(x, b1)
                x = SIMD8<Float>(repeating: p[s3])
                c30 = c30.addingProduct(x, b0); c31 = c31.addingProduct(x, b1)
                x = SIMD8<Float>(repeating: p[s4])
                c40 = c40.addingProduct(x, b0); c41 = c41.addingProduct(x, b1)
                x = SIMD8<Float>(repeating: p[s5])
                c50 = c50.addingProduct(x, b0); c51 = c51.addingProduct(x, b1)
                p += 1
            }
        }
        let r = resultRowStride
        store(c00, result); store(c01, result + 8)
        store(c10, result + r); store(c11, result + r + 8)
        store(c20, result + 2 * r); store(c21, result + 2 * r + 8)
        store(c30, result + 3 * r); store(c31, result + 3 * r + 8)
        store(c40, result + 4 * r); store(c41, result + 4 * r + 8)
        store(c50, result + 5 * r); store(c51, result + 5 * r + 8)
    }

    /// A 12 × 8 block for narrow outputs (≤ 8 channels, e.g. `conv_out`): 12 accumulators, one weight load
    /// and 12 broadcasts per depth step; `b` is packed 8 columns wide, `initial` and `result` rows are 8.
    @inline(__always)
    static func multiplyAccumulate12x8(
        a: UnsafePointer<Float>, rowStride: Int, tapOffsets: UnsafePointer<Int>, tapCount: Int, depth: Int,
        b: UnsafePointer<Float>, initial: UnsafePointer<Float>, result: UnsafeMutablePointer<Float>
    ) {
        let start = load(initial)
        var c0 = start, c1 = start, c2 = start, c3 = start, c4 = start, c5 = start
        var c6 = start, c7 = start, c8 = start, c9 = start, c10 = start, c11 = start
        let s = rowStride
        var bk = b
        for t in 0..<tapCount {
            var p = a + tapOffsets[t]
            let end = p + depth
            while p < end {
                let w = load(bk)
                bk += 8
                c0 = c0.addingProduct(SIMD8(repeating: p[0]), w)
                c1 = c1.addingProduct(SIMD8(repeating: p[s]), w)
                c2 = c2.addingProduct(SIMD8(repeating: p[2 * s]), w)
                c3 = c3.addingProduct(SIMD8(repeating: p[3 * s]), w)
                c4 = c4.addingProduct(SIMD8(repeating: p[4 * s]), w)
                c5 = c5.addingProduct(SIMD8(repeating: p[5 * s]), w)
                c6 = c6.addingProduct(SIMD8(repeating: p[6 * s]), w)
                c7 = c7.addingProduct(SIMD8(repeating: p[7 * s]), w)
                c8 = c8.addingProduct(SIMD8(repeating: p[8 * s]), w)
                c9 = c9.addingProduct(SIMD8(repeating: p[9 * s]), w)
                c10 = c10.addingProduct(SIMD8(repeating: p[10 * s]), w)
                c11 = c11.addingProduct(SIMD8(repeating: p[11 * s]), w)
                p += 1
            }
        }
        store(c0, result); store(c1, result + 8); store(c2, result + 16); store(c3, result + 24)
        store(c4, result + 32); store(c5, result + 40); store(c6, result + 48); store(c7, result + 56)
        store(c8, result + 64); store(c9, result + 72); store(c10, result + 80); store(c11, result + 88)
    }

    /// A 1 × 8 block with the same per-element order (narrow leftovers).
    @inline(__always)
    static func multiplyAccumulate1x8(
        a: UnsafePointer<Float>, tapOffsets: UnsafePointer<Int>, tapCount: Int, depth: Int,
        b: UnsafePointer<Float>, initial: UnsafePointer<Float>, result: UnsafeMutablePointer<Float>
    ) {
        var c = load(initial)
        var bk = b
        for t in 0..<tapCount {
            let a0 = a + tapOffsets[t]
            for k in 0..<depth {
                c = c.addingProduct(SIMD8<Float>(repeating: a0[k]), load(bk))
                bk += 8
            }
        }
        store(c, result)
    }

    /// A 1 × 16 block with the same per-element order as `multiplyAccumulate6x16` (for narrow leftovers).
    @inline(__always)
    static func multiplyAccumulate1x16(
        a: UnsafePointer<Float>, tapOffsets: UnsafePointer<Int>, tapCount: Int, depth: Int,
        b: UnsafePointer<Float>, initial: UnsafePointer<Float>, result: UnsafeMutablePointer<Float>
    ) {
        var c0 = load(initial), c1 = load(initial + 8)
        var bk = b
        for t in 0..<tapCount {
            let a0 = a + tapOffsets[t]
            for k in 0..<depth {
                let x = SIMD8<Float>(repeating: a0[k])
                c0 = c0.addingProduct(x, load(bk)); c1 = c1.addingProduct(x, load(bk + 8))
                bk += 16
            }
        }
        store(c0, result); store(c1, result + 8)
    }
}
