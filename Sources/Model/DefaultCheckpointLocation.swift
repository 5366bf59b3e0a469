import Foundation

/// The directory of the Model target's packaged resources (`Sources/Model/Resources`), or nil when this
/// build ships none.
///
/// SwiftPM puts the Model target's resources in a bundle directory next to the executable. This looks for
/// it there itself instead of using the generated `Bundle.module`, which traps (fatalError) when the bundle
/// is missing — e.g. a binary copied without its resources must give a clear error, not crash.
func packagedResourcesDirectory() -> URL? {
    var directories = [Bundle.main.bundleURL]
    if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        directories.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
    }
    let relativePaths = [
        "vdmz_Model.resources/Resources",  // Linux
        "vdmz_Model.bundle/Contents/Resources/Resources",  // macOS
        "vdmz_Model.bundle/Resources",
    ]
    for directory in directories {
        for relative in relativePaths {
            let url = directory.appendingPathComponent(relative)
            if FileManager.default.isReadableFile(atPath: url.appendingPathComponent("default.safetensors").path) { return url }
        }
    }
    return nil
}

/// The URL of the packaged default checkpoint (`Resources/default.safetensors`), or nil.
func defaultCheckpointURL() -> URL? {
    packagedResourcesDirectory()?.appendingPathComponent("default.safetensors")
}
