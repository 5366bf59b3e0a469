import Foundation

/// Errors reading a NumPy `.npy` file; each message says what is wrong.
public enum NPYError: Error, Equatable, CustomStringConvertible {
    case notNPY
    case truncated(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .notNPY: return "not a NumPy .npy file (bad magic)"
        case let .truncated(what): return ".npy file is truncated: \(what)"
        case let .unsupported(what): return "unsupported .npy content: \(what)"
        }
    }
}

/// A NumPy `.npy` array of uint8 images: shape (N, H, W, C) or (H, W, C), C-order (row-major), dtype
/// uint8 — e.g. the CIFAR-10 arrays in corpora/cifar10. Versions 1.0, 2.0 and 3.0 of the format.
/// Invariant: `pixels.count == count · height · width · channels`, images one after another, HWC each.
public struct NPYImages: Equatable {
    public let count: Int
    public let height: Int
    public let width: Int
    public let channels: Int
    public let pixels: [UInt8]

    /// Bytes of one image.
    public var imageSize: Int { height * width * channels }

    /// The HWC bytes of image `index` (0 ≤ index < count).
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        pixels[(index * imageSize)..<((index + 1) * imageSize)]
    }

    /// Parses a whole `.npy` file.
    public init(npyData data: [UInt8]) throws {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
        guard data.count >= 10, Array(data[0..<6]) == magic else { throw NPYError.notNPY }
        let major = data[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(data[8]) | Int(data[9]) << 8
            headerStart = 10
        case 2, 3:
            guard data.count >= 12 else { throw NPYError.truncated("header length") }
            headerLength = (0..<4).reduce(0) { $0 | Int(data[8 + $1]) << (8 * $1) }
            headerStart = 12
        default: throw NPYError.unsupported("format version \(major).\(data[7])")
        }
        guard headerLength <= data.count - headerStart else { throw NPYError.truncated("header") }
        let header = String(decoding: data[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = Self.value(of: "descr", in: header) else { throw NPYError.unsupported("no 'descr' in header") }
        let dtype = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        guard ["|u1", "<u1", ">u1", "u1", "=u1"].contains(dtype) else {
            throw NPYError.unsupported("dtype \(dtype) (uint8 images expected)")
        }
        guard let order = Self.value(of: "fortran_order", in: header) else {
            throw NPYError.unsupported("no 'fortran_order' in header")
        }
        guard order.trimmingCharacters(in: .whitespaces) == "False" else {
            throw NPYError.unsupported("Fortran-ordered arrays")
        }
        guard let shapeText = Self.tuple(of: "shape", in: header) else { throw NPYError.unsupported("no 'shape' in header") }
        let shape = try shapeText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .map { item -> Int in
                guard let value = Int(item), value >= 0 else { throw NPYError.unsupported("shape (\(shapeText))") }
                return value
            }
        let dimensions: [Int]
        switch shape.count {
        case 4: dimensions = shape
        case 3: dimensions = [1] + shape
        default: throw NPYError.unsupported("shape (\(shapeText)): expected (N, H, W, C) or (H, W, C)")
        }
        guard dimensions[1] >= 1, dimensions[2] >= 1, dimensions[3] >= 1 else {
            throw NPYError.unsupported("shape (\(shapeText)) has an empty image dimension")
        }
        var total = 1
        for dimension in dimensions {
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw NPYError.unsupported("shape (\(shapeText)) is too large") }
            total = product
        }
        let dataStart = headerStart + headerLength
        guard data.count - dataStart >= total else {
            throw NPYError.truncated("\(data.count - dataStart) data bytes for \(total) values")
        }
        count = dimensions[0]
        height = dimensions[1]
        width = dimensions[2]
        channels = dimensions[3]
        pixels = Array(data[dataStart..<(dataStart + total)])
    }

    /// The raw text after `'key':` up to the next top-level comma.
    private static func value(of key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        let rest = header[range.upperBound...]
        let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
        return String(rest[..<end]).trimmingCharacters(in: .whitespaces)
    }

    /// The text inside the parentheses after `'key':`.
    private static func tuple(of key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':"),
            let open = header[range.upperBound...].firstIndex(of: "("),
            let close = header[open...].firstIndex(of: ")")
        else { return nil }
        return String(header[header.index(after: open)..<close])
    }
}
