import Parallelism

/// Single-precision matrix multiply C = A·B on the convolution's own `Microkernel`, used to measure the
/// machine's GEMM peak with the very kernel the network runs (vdmz-bench model), and as a test of the
/// kernel against a naive reference.
///
/// Determinism: C[i][j] = Σ_{k=0…K−1} A[i][k]·B[k][j] accumulated from 0 in increasing k with one FMA per
/// product; depth blocking only stores and reloads the running sum, so the order is the same for any
/// thread count. Threads split the rows.
public struct MatrixMultiply {
    /// Rows of A and C.
    public let rows: Int
    /// Columns of A, rows of B.
    public let depth: Int
    /// Columns of B and C; a multiple of 16.
    public let columns: Int
    /// B packed as `[columns / 16][depth][16]`.
    private let packedB: [Float]
    /// Depth per cache block (the A block of 6 rows and the B blocks stay in L1/L2).
    private let depthBlock = 256
    /// 6-row blocks of A packed together (16 · 6 · 256 floats = 96 KiB, an L2-resident block).
    private let rowBlockGroup = 16

    /// - Parameters:
    ///   - b: row-major `depth × columns` matrix.
    /// - Precondition: `columns` is a multiple of 16 and `rows` of 6.
    public init(b: [Float], rows: Int, depth: Int, columns: Int) {
        precondition(columns % Microkernel.columns == 0 && rows % Microkernel.rows == 0)
        precondition(b.count == depth * columns)
        self.rows = rows
        self.depth = depth
        self.columns = columns
        var packed = [Float](repeating: 0, count: depth * columns)
        for panel in 0..<columns / 16 {
            for k in 0..<depth {
                for j in 0..<16 { packed[(panel * depth + k) * 16 + j] = b[k * columns + panel * 16 + j] }
            }
        }
        packedB = packed
    }

    /// FLOPs of one product (multiply and add counted separately).
    public var flops: Double { 2 * Double(rows) * Double(depth) * Double(columns) }

    /// Returns the row-major `rows × columns` product of the row-major `rows × depth` matrix `a` and B.
    public func multiply(_ a: [Float], threads: Int) -> [Float] {
        precondition(a.count == rows * depth)
        var c = [Float](repeating: 0, count: rows * columns)
        let zeros = [Float](repeating: 0, count: 16)
        let rowBlocks = rows / Microkernel.rows
        a.withUnsafeBufferPointer { aBuffer in
            packedB.withUnsafeBufferPointer { bBuffer in
                zeros.withUnsafeBufferPointer { zeroBuffer in
                    c.withUnsafeMutableBufferPointer { cBuffer in
                        let aBase = aBuffer.baseAddress!, bBase = bBuffer.baseAddress!
                        let cBase = cBuffer.baseAddress!, zero = zeroBuffer.baseAddress!
                        ParallelLoop.forEachChunk(count: rowBlocks, threads: threads) { blocks in
                            // BLIS-style blocking: a block of up to `rowBlockGroup` 6-row blocks of A is
                            // packed contiguous (6 × kc each) and stays in L2 while every 16-column panel of
                            // B's kc-deep slice is swept over it (each B panel reused from L1 across the
                            // group). Packing copies values; the per-element order is unchanged.
                            let group = min(rowBlockGroup, blocks.count)
                            let packedA = UnsafeMutablePointer<Float>.allocate(capacity: group * Microkernel.rows * depthBlock)
                            defer { packedA.deallocate() }
                            var tap = 0
                            var k0 = 0
                            while k0 < depth {
                                let kc = min(depthBlock, depth - k0)
                                var first = blocks.lowerBound
                                while first < blocks.upperBound {
                                    let last = min(blocks.upperBound, first + group)
                                    for block in first..<last {
                                        let i = block * Microkernel.rows
                                        let destination = packedA + (block - first) * Microkernel.rows * kc
                                        for r in 0..<Microkernel.rows {
                                            (destination + r * kc).update(from: aBase + (i + r) * depth + k0, count: kc)
                                        }
                                    }
                                    for panel in 0..<columns / 16 {
                                        for block in first..<last {
                                            let cBlock = cBase + block * Microkernel.rows * columns + panel * 16
                                            Microkernel.multiplyAccumulate6x16(
                                                a: packedA + (block - first) * Microkernel.rows * kc, rowStride: kc,
                                                tapOffsets: &tap, tapCount: 1, depth: kc,
                                                b: bBase + (panel * depth + k0) * 16,
                                                initial: k0 == 0 ? zero : UnsafePointer(cBlock),
                                                initialRowStride: k0 == 0 ? 0 : columns,
                                                result: cBlock, resultRowStride: columns)
                                        }
                                    }
                                    first = last
                                }
                                k0 += kc
                            }
                        }
                    }
                }
            }
        }
        return c
    }
}
