// swift-tools-version:5.9
import PackageDescription

/// Numeric targets build with `-Ounchecked -target-cpu haswell` in every configuration (DESIGN §3):
/// without a target CPU, fused multiply-add lowers to a slow libm call. No fast-math is ever enabled,
/// so debug and release builds compute bit-identical floats.
let numericFlags: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-target-cpu", "haswell"])]
/// The codec's parsers and bookkeeping keep Swift's overflow and bounds checks (a trap beats a silent
/// wrap-around on hostile input; fuzzing found one such case): `-O` with the same target CPU in every configuration, no `-Ounchecked`.
let checkedFlags: [SwiftSetting] = [.unsafeFlags(["-O", "-target-cpu", "haswell"])]

let package = Package(
    name: "vdmz",
    products: [
        .library(name: "VDMZ", targets: ["Codec", "Model", "ANS", "ExactMath"]),
        .library(name: "VDMZFuzzSupport", targets: ["FuzzSupport"]),
        .executable(name: "vdmz", targets: ["vdmz"]),
        .executable(name: "vdmz-bench", targets: ["vdmz-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        .target(name: "ExactMath", swiftSettings: numericFlags),
        .target(name: "ANS", dependencies: ["ExactMath"], swiftSettings: numericFlags),
        .target(name: "Model", dependencies: ["ExactMath"], resources: [.copy("Resources")], swiftSettings: numericFlags),
        .target(name: "CPNG", linkerSettings: [.linkedLibrary("png"), .linkedLibrary("z")]),
        .target(
            name: "Codec",
            dependencies: ["ANS", "Model", "CPNG", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: checkedFlags),
        // Decoding probe and mutator shared by the libFuzzer target (fuzz/) and the test suite.
        .target(name: "FuzzSupport", dependencies: ["Codec", "Model"]),
        .executableTarget(
            name: "vdmz",
            dependencies: ["Codec", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "vdmz-bench", dependencies: ["Codec", "Model", "ANS"], swiftSettings: numericFlags),
        .testTarget(name: "ExactMathTests", dependencies: ["ExactMath"]),
        .testTarget(name: "ANSTests", dependencies: ["ANS"]),
        .testTarget(name: "ModelTests", dependencies: ["Model"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CodecTests", dependencies: ["Codec", "FuzzSupport"]),
        .testTarget(name: "vdmzTests", dependencies: ["Codec"]),
    ]
)
