import Foundation

/// The URL of the packaged default checkpoint, or nil when this build ships none.
/// (Becomes `Bundle.module` once `default.safetensors` is a resource of the Model target.)
func defaultCheckpointURL() -> URL? {
    nil
}
