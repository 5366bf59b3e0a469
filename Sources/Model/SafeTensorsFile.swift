import Foundation

/// A parsed safetensors file: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data. Only the header is interpreted up
/// front; tensor data is copied out on request, after its range and dtype are checked.
public struct SafeTensorsFile {
    /// One tensor's header entry.
    public struct Entry: Equatable {
        public let dataType: String
        public let shape: [Int]
        /// Byte range in `data`, already offset past the header.
        public let byteRange: Range<Int>
    }

    /// File path or description used in error messages.
    public let path: String
    /// The whole file.
    public let data: Data
    /// Tensors by name.
    public let entries: [String: Entry]
    /// The string-to-string `__metadata__` block (empty when absent).
    public let metadata: [String: String]

    private static let elementSizes = ["F32": 4, "U8": 1, "I64": 8, "F64": 8, "F16": 2, "BF16": 2, "I32": 4]

    /// Reads and parses the file at `url`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ModelError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        try self.init(data: data, path: url.path)
    }

    /// Parses `data`; `path` only labels errors.
    public init(data: Data, path: String) throws {
        self.path = path
        self.data = data
        func fail(_ reason: String) -> ModelError { .malformedSafeTensors(path: path, reason: reason) }
        guard data.count >= 8 else { throw fail("file shorter than its 8-byte header length") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) exceeds the file size \(data.count)")
        }
        let headerStart = data.startIndex + 8
        let dataStart = 8 + Int(headerLength)
        let headerBytes = data.subdata(in: headerStart..<(headerStart + Int(headerLength)))
        guard let header = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let block = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (key, item) in block {
                    guard let text = item as? String else { throw fail("metadata '\(key)' is not a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let object = value as? [String: Any], let dataType = object["dtype"] as? String,
                let shapeValues = object["shape"] as? [Any], let offsets = object["data_offsets"] as? [Any],
                offsets.count == 2
            else { throw fail("entry '\(name)' lacks dtype, shape or data_offsets") }
            let shape = try shapeValues.map { item -> Int in
                guard let number = item as? NSNumber, number.int64Value >= 0 else {
                    throw fail("entry '\(name)' has a negative or non-integer dimension")
                }
                return number.intValue
            }
            guard let begin = (offsets[0] as? NSNumber)?.intValue, let end = (offsets[1] as? NSNumber)?.intValue,
                begin >= 0, begin <= end, end <= data.count - dataStart
            else { throw fail("entry '\(name)' has data offsets outside the file") }
            guard let size = Self.elementSizes[dataType] else {
                throw fail("entry '\(name)' has unsupported dtype \(dataType)")
            }
            var elements = 1
            for dimension in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw fail("entry '\(name)' is too large") }
                elements = product
            }
            guard elements.multipliedReportingOverflow(by: size).partialValue == end - begin else {
                throw fail("entry '\(name)' has \(end - begin) bytes for shape \(shape) of \(dataType)")
            }
            entries[name] = Entry(dataType: dataType, shape: shape, byteRange: (dataStart + begin)..<(dataStart + end))
        }
        self.entries = entries
        self.metadata = metadata
    }

    /// The float32 tensor `name`, checked against `shape`, in row-major order.
    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        let entry = try checkedEntry(name, dataType: "F32", shape: shape)
        return floatValues(entry)
    }

    /// The float32 tensor `name` of any shape, with its shape.
    public func floats(_ name: String) throws -> (values: [Float], shape: [Int]) {
        guard let entry = entries[name] else { throw ModelError.missingTensor(path: path, name: name) }
        guard entry.dataType == "F32" else {
            throw ModelError.tensorMismatch(path: path, name: name, expected: "F32", found: entry.dataType)
        }
        return (floatValues(entry), entry.shape)
    }

    /// The uint8 tensor `name` of any shape, with its shape.
    public func bytes(_ name: String) throws -> (values: [UInt8], shape: [Int]) {
        guard let entry = entries[name] else { throw ModelError.missingTensor(path: path, name: name) }
        guard entry.dataType == "U8" else {
            throw ModelError.tensorMismatch(path: path, name: name, expected: "U8", found: entry.dataType)
        }
        let lower = data.startIndex + entry.byteRange.lowerBound
        return ([UInt8](data[lower..<(lower + entry.byteRange.count)]), entry.shape)
    }

    private func checkedEntry(_ name: String, dataType: String, shape: [Int]) throws -> Entry {
        guard let entry = entries[name] else { throw ModelError.missingTensor(path: path, name: name) }
        guard entry.dataType == dataType, entry.shape == shape else {
            throw ModelError.tensorMismatch(
                path: path, name: name, expected: "\(dataType) \(shape)", found: "\(entry.dataType) \(entry.shape)")
        }
        return entry
    }

    private func floatValues(_ entry: Entry) -> [Float] {
        let count = entry.byteRange.count / 4
        guard count > 0 else { return [] }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { destination in
            data.withUnsafeBytes { source in
                let start = source.baseAddress! + entry.byteRange.lowerBound
                destination.copyMemory(from: UnsafeRawBufferPointer(start: start, count: entry.byteRange.count))
            }
        }
        // safetensors is little-endian; so is every supported host (x86-64, arm64).
        return values
    }
}
