import FuzzSupport
import Foundation

/// The probe, with the golden test checkpoint (or $VDMZ_FUZZ_MODEL).
let probe: DecoderProbe = {
    let path =
        ProcessInfo.processInfo.environment["VDMZ_FUZZ_MODEL"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Golden/model.safetensors").path
    do {
        return try DecoderProbe(checkpoint: URL(fileURLWithPath: path))
    } catch {
        FileHandle.standardError.write(Data("vdmz-fuzz: cannot load the checkpoint \(path): \(error)\n".utf8))
        exit(2)
    }
}()

/// `VDMZ_FUZZ_VERBOSE=1` prints each input's outcomes (to see what a corpus exercises).
let verbose = ProcessInfo.processInfo.environment["VDMZ_FUZZ_VERBOSE"] != nil

/// libFuzzer's entry point: any outcome but a crash, a hang or a memory blow-up is fine; the probe's
/// `Archive.decompress` has already checked every decoded image against its pixel checksum.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for outcome in probe.probe(bytes) {
        if verbose { print("vdmz-fuzz: \(size) bytes: \(outcome)") }
        if case .decoded(let images) = outcome, images.isEmpty { fatalError("a container decoded to no image") }
    }
    return 0
}

/// libFuzzer's mutator, for the byte-level half of `LLVMFuzzerCustomMutator`.
@_silgen_name("LLVMFuzzerMutate")
func libFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

/// Half the mutants are libFuzzer's own byte mutations; the other half structure-aware ones
/// (`StructuredMutator`: chain parameters, tile lists, names, steps and sizes, with the CRC made valid).
@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzCustomMutator(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: CUnsignedInt) -> Int {
    var random = ByteMutator(seed: UInt64(seed))
    if random.next(2) == 0 { return libFuzzerMutate(data, size, maxSize) }
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let mutated = StructuredMutator.mutate(input, using: &random)
    guard mutated != input, mutated.count <= maxSize else { return libFuzzerMutate(data, size, maxSize) }
    mutated.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: mutated.count) }
    return mutated.count
}
