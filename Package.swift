// swift-tools-version:5.9
import Foundation
import PackageDescription

/// The CPU the numeric targets are compiled for (docs/DESIGN.md §3). `VDMZ_TARGET_CPU` unset: `haswell`
/// (AVX2 + FMA) on x86-64, none elsewhere; `VDMZ_TARGET_CPU=generic`: no `-target-cpu` at all; any other
/// value is passed on. Without a target CPU that has FMA, fused multiply-add runs in software: slower,
/// the same bits (the arithmetic is IEEE float32/float64 with explicit FMA, no fast-math).
let targetCPU: [String] = {
    switch ProcessInfo.processInfo.environment["VDMZ_TARGET_CPU"] {
    case "generic": return []
    case let cpu? where !cpu.isEmpty: return ["-target-cpu", cpu]
    default:
        #if arch(x86_64)
            return ["-target-cpu", "haswell"]
        #else
            return []
        #endif
    }
}()
/// Numeric targets build with `-Ounchecked` in every configuration, so debug and release builds compute
/// bit-identical floats (no fast-math is ever enabled).
let numericFlags: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"] + targetCPU)]
/// Parsers and bookkeeping keep Swift's overflow and bounds checks (a trap beats a silent wrap-around on
/// hostile input; fuzzing found one such case): `-O` in every configuration, no `-Ounchecked`.
let checkedFlags: [SwiftSetting] = [.unsafeFlags(["-O"] + targetCPU)]
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")

let package = Package(
    name: "vdmz",
    products: [
        .library(
            name: "VDMZ",
            targets: [
                "Codec", "BitsBack", "ContextCoding", "HybridCoding", "PixelCoding", "ContainerFormat", "Imaging", "Model", "ANS",
                "Bytes",
                "ExactMath", "Parallelism",
            ]),
        .library(name: "VDMZFuzzSupport", targets: ["FuzzSupport"]),
        .executable(name: "vdmz", targets: ["vdmz"]),
        .executable(name: "vdmz-bench", targets: ["vdmz-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // Foundations: bit-exact arithmetic and byte formats.
        .target(name: "ExactMath", swiftSettings: numericFlags),
        .target(name: "Bytes", swiftSettings: checkedFlags),
        // The entropy coder and the probability model; neither knows of images or files.
        // The parallel loop the network and the entropy coder's per-element work share.
        .target(name: "Parallelism", swiftSettings: numericFlags),
        .target(name: "ANS", dependencies: ["ExactMath", "Bytes", "Parallelism"], swiftSettings: numericFlags),
        .target(
            name: "Model", dependencies: ["ExactMath", "Parallelism"], resources: [.copy("Resources")],
            swiftSettings: numericFlags),
        // Images: PNG in and out, the model planes and side planes. No ANS, no model.
        .target(name: "CPNG", linkerSettings: [.linkedLibrary("png"), .linkedLibrary("z")]),
        .target(name: "Imaging", dependencies: ["CPNG", "Bytes", crypto], swiftSettings: checkedFlags),
        // Coders of model planes: the protocol and the stored coder, then the bits-back VDM coder.
        .target(name: "PixelCoding", dependencies: ["Imaging"], swiftSettings: checkedFlags),
        .target(
            name: "BitsBack", dependencies: ["PixelCoding", "ANS", "Model", "Bytes", "ExactMath", "Parallelism"],
            swiftSettings: checkedFlags),
        // The classical context-modelling coder: no model, symbols on the same ANS stack.
        .target(
            name: "ContextCoding", dependencies: ["PixelCoding", "ANS", "Imaging", "Bytes", "Parallelism"],
            swiftSettings: checkedFlags),
        // The .vdmz container: records, side planes, an opaque payload, a coder tag and a model hash.
        // The hybrid coder (tag 3): bits-back or context per region on one stack.
        .target(
            name: "HybridCoding", dependencies: ["BitsBack", "ContextCoding", "PixelCoding", "ANS", "Model", "Imaging", "Bytes"],
            swiftSettings: checkedFlags),
        .target(name: "ContainerFormat", dependencies: ["Imaging", "PixelCoding", "Bytes"], swiftSettings: checkedFlags),
        // The front door: images ↔ container bytes, and the one decoder factory.
        .target(
            name: "Codec",
            dependencies: [
                "ContainerFormat", "BitsBack", "ContextCoding", "HybridCoding", "PixelCoding", "Imaging", "Model", "Parallelism",
            ],
            swiftSettings: checkedFlags),
        // Decoding probe and mutator shared by the libFuzzer target (fuzz/) and the test suite.
        .target(name: "FuzzSupport", dependencies: ["Codec", "ContainerFormat", "PixelCoding", "Imaging"]),
        .executableTarget(
            name: "vdmz",
            dependencies: [
                "Codec", "BitsBack", "Bytes", "HybridCoding", "ContainerFormat", "PixelCoding", "Imaging", "Model", "ExactMath",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "vdmz-bench",
            dependencies: [
                "Codec", "BitsBack", "ContainerFormat", "PixelCoding", "Imaging", "Model", "ANS", "ExactMath",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: numericFlags),
        // Tests: one target per library target; TestSupport holds the synthetic images and golden files they share.
        .target(name: "TestSupport", dependencies: ["Imaging", "Model", "ExactMath"], path: "Tests/TestSupport"),
        .testTarget(name: "ExactMathTests", dependencies: ["ExactMath"]),
        .testTarget(name: "BytesTests", dependencies: ["Bytes"]),
        .testTarget(name: "ANSTests", dependencies: ["ANS", "Bytes", "ExactMath", "Parallelism"]),
        .testTarget(name: "ModelTests", dependencies: ["Model"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "ExactMath", "TestSupport"]),
        .testTarget(name: "ContainerFormatTests", dependencies: ["ContainerFormat"]),
        .testTarget(
            name: "BitsBackTests", dependencies: ["BitsBack", "ANS", "PixelCoding", "Imaging", "Model", "Bytes", "TestSupport"]),
        .testTarget(
            name: "HybridCodingTests",
            dependencies: [
                "HybridCoding", "BitsBack", "ContextCoding", "PixelCoding", "Imaging", "Model", "ANS", "Bytes", "TestSupport",
            ]),
        .testTarget(name: "ContextCodingTests", dependencies: ["ContextCoding", "PixelCoding", "Imaging", "ANS", "TestSupport"]),
        .testTarget(
            name: "CodecTests",
            dependencies: [
                "Codec", "BitsBack", "ContextCoding", "HybridCoding", "ContainerFormat", "PixelCoding", "Imaging", "Model",
                "Bytes", "FuzzSupport",
                "TestSupport",
            ]),
        .testTarget(
            name: "vdmzTests", dependencies: ["Codec", "ContainerFormat", "PixelCoding", "Imaging", "Model", "TestSupport"]),
    ]
)
