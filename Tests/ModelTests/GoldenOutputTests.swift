import XCTest
@testable import Model

/// The exact output bits of the network on a fixed input (docs/DESIGN.md §3: any machine, any build must compute
/// the same bits, or files coded elsewhere do not decode). The expected hashes were recorded on the
/// development machine (x86-64, AMD EPYC) with this code; a failure here on another machine or after a
/// kernel change means encoder and decoder could disagree. Parity with PyTorch is `ParityTests`.
final class GoldenOutputTests: XCTestCase {
    /// FNV-1a over the bit patterns.
    private func fingerprint(_ values: [Float]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in values {
            var bits = value.bitPattern
            for _ in 0..<4 {
                hash = (hash ^ UInt64(bits & 0xFF)) &* 0x100_0000_01b3
                bits >>= 8
            }
        }
        return hash
    }

    private func output(_ model: String, fixture: String) throws -> [Float] {
        let prior = try Fixtures.prior(model)
        let file = try Fixtures.file(fixture)
        let (z, shape) = try file.floats("net_z")
        let gamma = try file.floats("net_gamma").values[1]
        let count = 3 * shape[2] * shape[3]
        let result = try prior.denoiser.evaluate(
            z: Array(z[count..<(2 * count)]), width: shape[3], height: shape[2], gamma: gamma, threads: 2)
        return result.epsilon + (result.v ?? [])
    }

    func testNetworkOutputBits() throws {
        let plain = fingerprint(try output("tiny", fixture: "tiny_fixture"))
        let learned = fingerprint(try output("tiny_lv", fixture: "tiny_lv_fixture"))
        XCTAssertEqual(String(plain, radix: 16), "b36174f9e76c2f1b")
        XCTAssertEqual(String(learned, radix: 16), "d894bac85af82a44")
    }

    func testScheduleBits() throws {
        let gammas = try Fixtures.prior("tiny").schedule.gammas(steps: 64)
        XCTAssertEqual(String(fingerprint(gammas), radix: 16), "e760cc1fb25bc335")
    }
}
