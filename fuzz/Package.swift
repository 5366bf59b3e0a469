// swift-tools-version:5.9
import PackageDescription

/// The libFuzzer target for the container / ANS / bits-back decoding path. A package of its own because
/// it has no `main` (libFuzzer provides it) and must be built with `--sanitize=fuzzer`: see fuzz/README.md.
let package = Package(
    name: "vdmz-fuzz",
    dependencies: [.package(name: "vdmz", path: "..")],
    targets: [
        .executableTarget(
            name: "vdmz-fuzz",
            dependencies: [.product(name: "VDMZFuzzSupport", package: "vdmz")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    ]
)
