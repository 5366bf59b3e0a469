import ANS
import Foundation
import Imaging
import TestSupport
import XCTest
@testable import ContextCoding

/// Checks the golden context payload `name` (in `Tests/Golden`): `pictures` forced to `modes`, one stripe
/// each, as a payload of `version`. It must decode bit-exactly to `pictures`, and encoding them again must
/// give the same bytes. (`VDMZ_WRITE_GOLDEN=1` writes it anew after a deliberate change, which needs a new
/// payload version.)
func checkGoldenPayload(
    _ name: String, version: UInt8, pictures: [ModelImage], modes: [StripeMode], file: StaticString = #filePath,
    line: UInt = #line
) throws {
    var message = try Message(laneCount: 1)
    for (picture, mode) in zip(pictures, modes) {
        message.pushForSequentialPop(try ContextPixelCoder.intervalsOf(picture, firstRow: 0, rows: picture.height, mode: mode))
    }
    let payload = [version] + modes.map(\.byte) + message.serialized()
    let url = GoldenFiles.directory.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["VDMZ_WRITE_GOLDEN"] != nil { try Data(payload).write(to: url) }
    let golden = try GoldenFiles.bytes(name)
    let decoded = try ContextPixelCoder().decode(golden, shapes: pictures.map { $0.shape(steps: 0) }, progress: nil)
    XCTAssertEqual(decoded, pictures, file: file, line: line)
    XCTAssertEqual(payload, golden, "encoding the golden images no longer gives the golden payload", file: file, line: line)
}

/// Encodes `images` with `ContextPixelCoder`, checks that they decode exactly and that encoding again
/// gives the same bytes; returns the payload.
@discardableResult
func roundTrip(_ images: [ModelImage], file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
    let coder = ContextPixelCoder()
    let payload = try coder.encode(images, progress: nil)
    let decoded = try coder.decode(payload, shapes: images.map { $0.shape(steps: 0) }, progress: nil)
    XCTAssertEqual(decoded, images, file: file, line: line)
    XCTAssertEqual(try coder.encode(images, progress: nil), payload, "encoding is deterministic", file: file, line: line)
    return payload
}
