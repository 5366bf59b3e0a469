func runModelBenchmark(_ arguments: [String]) { print("model benchmark: not built yet") }
