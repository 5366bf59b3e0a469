func runANSBenchmark(_ arguments: [String]) { print("ans benchmark: not built yet") }
