import Imaging
/// One image's record as a container parser reads it, its side planes still deflated: they are
/// inflated (`inflated()`) only once the whole container has been read and its CRC checked.
struct ContainerRecord {
    /// A side plane as stored: its kind, its declared raw size (checked against the image's limits)
    /// and its zlib stream.
    struct StoredPlane {
        let kind: SidePlane.Kind
        let rawCount: Int
        let stored: [UInt8]
    }

    let name: String
    let header: ImageHeader
    let steps: Int
    /// Version 1 only.
    let pixelChecksum: [UInt8]?
    let planes: [StoredPlane]
    /// Bytes the planes take in the file (`ContainerImage.storedSidePlaneBytes`).
    let storedSidePlaneBytes: Int

    /// The image record with its side planes inflated.
    /// - Throws: `ContainerError.corruptSidePlane` for a stream that does not inflate to its raw size.
    func inflated() throws -> ContainerImage {
        var sidePlanes: [SidePlane] = []
        for plane in planes {
            do {
                sidePlanes.append(SidePlane(kind: plane.kind, bytes: try Zlib.decompress(plane.stored, count: plane.rawCount)))
            } catch {
                throw ContainerError.corruptSidePlane("\(plane.kind)")
            }
        }
        return ContainerImage(
            name: name, header: header, steps: steps, pixelChecksum: pixelChecksum,
            sidePlanes: sidePlanes, storedSidePlaneBytes: storedSidePlaneBytes)
    }
}

/// What a version's reader gives back: everything between the model hash and the CRC-32.
struct ContainerBody {
    let records: [ContainerRecord]
    let pixelDigest: [UInt8]
    let payload: [UInt8]
}
