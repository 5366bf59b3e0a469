import Foundation
import Model

func runModelBenchmark(_ arguments: [String]) {
    let n = 1536
    var a = [Float](repeating: 0, count: n * n), b = a
    for i in 0..<a.count { a[i] = Float((i * 7) % 13) / 13 - 0.5; b[i] = Float((i * 5) % 11) / 11 - 0.5 }
    let gemm = MatrixMultiply(b: b, rows: n, depth: n, columns: n)
    for threads in [1, 2] {
        _ = gemm.multiply(a, threads: threads)
        let start = DispatchTime.now().uptimeNanoseconds
        let reps = 3
        for _ in 0..<reps { _ = gemm.multiply(a, threads: threads) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(reps)
        print("gemm \(n)³ threads=\(threads): \(String(format: "%.1f", gemm.flops / seconds / 1e9)) GFLOP/s")
    }
}
