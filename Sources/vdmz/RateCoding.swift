import Codec
import Dispatch
import Foundation
import Model
import Imaging
import BitsBack

/// `vdmz rate --code`: what the bits-back coder really spends, beside the ELBO.
struct RateCoding {
    let prior: DiffusionPrior
    let steps: Int
    let threads: Int

    /// The coded cost of a set of images.
    struct Result {
        /// Dataset mode: all images on one stack, decoded again and compared.
        var datasetPayloadBits: Double
        /// Dataset mode: the net bits of each image (initial bits excluded).
        var datasetImageBits: [Double]
        /// Dataset mode: initial bits drawn once for the whole payload.
        var datasetInitialBits: Int
        /// Single-image mode: the payload bits of each image coded alone (initial bits included).
        var singleImageBits: [Double]
        var encodeSeconds: Double
        var decodeSeconds: Double
    }

    func code(_ images: [ModelImage]) throws -> Result {
        let coder = try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: steps), threads: threads)
        var report = CodingReport()
        var payload: [UInt8] = []
        let encodeSeconds = try Self.seconds { (payload, report) = try coder.encodeMeasuring(images, progress: nil) }
        var decoded: [ModelImage] = []
        let decodeSeconds = try Self.seconds {
            decoded = try coder.decode(payload, shapes: images.map { $0.shape(steps: steps) }, progress: nil)
        }
        guard decoded == images else { throw CLIError("the coded images did not decode to the originals") }
        var single: [Double] = []
        if images.count > 1 {
            for image in images { single.append(Double(8 * (try coder.encode([image], progress: nil)).count)) }
        } else {
            single = [Double(8 * payload.count)]
        }
        return Result(
            datasetPayloadBits: Double(8 * payload.count), datasetImageBits: report.imageBits,
            datasetInitialBits: report.initialBits, singleImageBits: single,
            encodeSeconds: encodeSeconds, decodeSeconds: decodeSeconds)
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
