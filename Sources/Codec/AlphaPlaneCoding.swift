import ContainerFormat
import ContextCoding
import Imaging

/// The alpha side plane coded by the context coder (side plane kind 9, docs/FORMAT.md §1.4) instead of
/// zlib: an alpha channel is an image (soft edges, gradients, anti-aliased shapes), which the context
/// coder's gray models predict where zlib only finds repeats. A cut-out photograph's blurred round mask
/// took 12,092 bytes of zlib, against cjxl's whole file's few hundred for it (bench/README.md "Alpha").
///
/// Invariants: the encoder replaces the alpha plane (kind 1) by kind 9 only where the latter's zlib
/// stream, as the container stores it, is strictly smaller; a record holds at most one of the two;
/// kind 9 decodes to exactly the alpha plane it was made from (the context payload of a gray image of the
/// plane's width and height, every pixel R = G = B = its alpha) or is refused.
public enum AlphaPlaneCoding {
    /// `parts` with its alpha plane context-coded where that is smaller in the file (unchanged otherwise).
    /// - Parameter threads: the threads the context coder tries its candidate modes on (bytes do not
    ///   depend on it).
    public static func modelling(_ parts: DecomposedImage, threads: Int) throws -> DecomposedImage {
        guard let alpha = parts.sidePlanes.first(where: { $0.kind == .alpha }) else { return parts }
        let width = parts.header.width, height = parts.header.height
        // A constant alpha (an opaque RGBA image) is a few bytes of zlib: nothing to gain.
        guard alpha.bytes.count == width * height, alpha.bytes.contains(where: { $0 != alpha.bytes[0] }) else { return parts }
        var pixels = [UInt8](repeating: 0, count: 3 * alpha.bytes.count)
        for (i, a) in alpha.bytes.enumerated() {
            pixels[3 * i] = a
            pixels[3 * i + 1] = a
            pixels[3 * i + 2] = a
        }
        let gray = try ModelImage(width: width, height: height, pixels: pixels)
        let payload = try ContextPixelCoder(threads: threads).encode([gray], progress: nil)
        guard payload.count <= Container.maxRawBytes(of: .alphaModelled, pixels: width * height),
            try Zlib.compress(payload).count < Zlib.compress(alpha.bytes).count
        else { return parts }
        let planes = parts.sidePlanes.map { $0.kind == .alpha ? SidePlane(kind: .alphaModelled, bytes: payload) : $0 }
        return DecomposedImage(
            header: parts.header, model: parts.model, sidePlanes: planes.sorted { $0.kind.rawValue < $1.kind.rawValue })
    }

    /// `planes` with a context-coded alpha plane (kind 9) decoded back into the alpha plane (kind 1), in
    /// ascending kind order; the others as they are.
    /// - Throws: `LayoutError.inconsistentPlanes` for a kind-9 plane beside an alpha plane, one that does
    ///   not decode to a gray image of `width` × `height`, or one whose context payload is corrupt.
    public static func restoring(_ planes: [SidePlane], width: Int, height: Int) throws -> [SidePlane] {
        guard let modelled = planes.first(where: { $0.kind == .alphaModelled }) else { return planes }
        guard !planes.contains(where: { $0.kind == .alpha }) else {
            throw LayoutError.inconsistentPlanes("an alpha plane beside a context-coded one")
        }
        let shape = ModelImageShape(width: width, height: height, steps: 0)
        let decoded: [ModelImage]
        do {
            decoded = try ContextPixelCoder().decode(modelled.bytes, shapes: [shape], progress: nil)
        } catch {
            throw LayoutError.inconsistentPlanes("context-coded alpha plane: \(error)")
        }
        guard decoded.count == 1, decoded[0].width == width, decoded[0].height == height else {
            throw LayoutError.inconsistentPlanes("context-coded alpha plane of another shape")
        }
        let pixels = decoded[0].pixels
        var alpha = [UInt8](repeating: 0, count: width * height)
        for i in 0..<alpha.count {
            let a = pixels[3 * i]
            guard pixels[3 * i + 1] == a, pixels[3 * i + 2] == a else {
                throw LayoutError.inconsistentPlanes("context-coded alpha plane is not gray")
            }
            alpha[i] = a
        }
        let restored = planes.map { $0.kind == .alphaModelled ? SidePlane(kind: .alpha, bytes: alpha) : $0 }
        return restored.sorted { $0.kind.rawValue < $1.kind.rawValue }
    }
}
