import Imaging
/// An image with the file name it is stored and restored under.
public struct NamedImage: Equatable, Sendable {
    public let name: String
    public let image: RasterImage

    public init(name: String, image: RasterImage) {
        self.name = name
        self.image = image
    }
}
