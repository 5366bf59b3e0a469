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
        let header = try NPYHeader(parsing: Array(data[headerStart..<(headerStart + headerLength)]))
        guard ["|u1", "<u1", ">u1", "u1", "=u1"].contains(header.descr) else {
            throw NPYError.unsupported("dtype \(header.descr) (uint8 images expected)")
        }
        guard !header.fortranOrder else { throw NPYError.unsupported("Fortran-ordered arrays") }
        let shape = header.shape
        let shapeText = shape.map(String.init).joined(separator: ", ")
        let dimensions: [Int]
        switch shape.count {
        case 4: dimensions = shape
        case 3: dimensions = [1] + shape
        default: throw NPYError.unsupported("shape (\(shapeText)): expected (N, H, W, C) or (H, W, C)")
        }
        guard dimensions[1] >= 1, dimensions[2] >= 1, dimensions[3] >= 1 else {
            throw NPYError.unsupported("shape (\(shapeText)) has an empty image dimension")
        }
        guard dimensions[0] >= 1 else { throw NPYError.unsupported("shape (\(shapeText)) holds no image") }
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
}

/// The header of a `.npy` file, parsed strictly: exactly the Python literal NumPy writes,
/// `{'descr': STRING, 'fortran_order': True|False, 'shape': (INT, …), }` padded with spaces and ending in a
/// newline — each of the three keys exactly once, no other key, nothing after the closing brace but
/// spaces and the newline. (A lenient search for `'descr':` would take the first occurrence anywhere, e.g.
/// inside another string, and read a float64 array as bytes.)
struct NPYHeader {
    let descr: String
    let fortranOrder: Bool
    let shape: [Int]

    init(parsing bytes: [UInt8]) throws {
        var p = 0
        func fail(_ what: String) -> NPYError { .unsupported("header: \(what)") }
        func skipSpaces() { while p < bytes.count, bytes[p] == 0x20 { p += 1 } }
        func expect(_ c: UInt8) throws {
            skipSpaces()
            guard p < bytes.count, bytes[p] == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
            p += 1
        }
        func peek() -> UInt8? { skipSpaces(); return p < bytes.count ? bytes[p] : nil }
        func string() throws -> String {
            skipSpaces()
            guard p < bytes.count, bytes[p] == 0x27 || bytes[p] == 0x22 else { throw fail("expected a string") }
            let quote = bytes[p]
            p += 1
            let start = p
            while p < bytes.count, bytes[p] != quote {
                guard bytes[p] >= 0x20, bytes[p] < 0x7F, bytes[p] != 0x5C else { throw fail("unexpected character in a string") }
                p += 1
            }
            guard p < bytes.count else { throw fail("unterminated string") }
            p += 1
            return String(decoding: bytes[start..<(p - 1)], as: UTF8.self)
        }
        func integer() throws -> Int {
            skipSpaces()
            let start = p
            while p < bytes.count, (0x30...0x39).contains(bytes[p]) { p += 1 }
            guard p > start, p - start <= 18, let value = Int(String(decoding: bytes[start..<p], as: UTF8.self)) else {
                throw fail("expected a non-negative integer")
            }
            return value
        }
        var descr: String?, fortranOrder: Bool?, shape: [Int]?
        try expect(0x7B)  // {
        while peek() != 0x7D {
            let key = try string()
            try expect(0x3A)  // :
            switch key {
            case "descr" where descr == nil:
                descr = try string()
            case "fortran_order" where fortranOrder == nil:
                skipSpaces()
                if bytes[p...].starts(with: Array("True".utf8)) {
                    fortranOrder = true; p += 4
                } else if bytes[p...].starts(with: Array("False".utf8)) {
                    fortranOrder = false; p += 5
                } else {
                    throw fail("fortran_order is not True or False")
                }
            case "shape" where shape == nil:
                try expect(0x28)  // (
                var items: [Int] = []
                while peek() != 0x29 {
                    items.append(try integer())
                    if peek() == 0x2C { p += 1 } else { break }
                }
                try expect(0x29)  // )
                shape = items
            case "descr", "fortran_order", "shape": throw fail("key '\(key)' appears twice")
            default: throw fail("unexpected key '\(key)'")
            }
            if peek() == 0x2C { p += 1 } else { break }
        }
        try expect(0x7D)  // }
        while p < bytes.count, bytes[p] == 0x20 || bytes[p] == 0x0A { p += 1 }
        guard p == bytes.count else { throw fail("unexpected bytes after the dictionary") }
        guard let descr else { throw NPYError.unsupported("no 'descr' in header") }
        guard let fortranOrder else { throw NPYError.unsupported("no 'fortran_order' in header") }
        guard let shape else { throw NPYError.unsupported("no 'shape' in header") }
        self.descr = descr
        self.fortranOrder = fortranOrder
        self.shape = shape
    }
}
