/// What encoding cost, measured on the message itself.
public struct CodingReport: Sendable {
    /// Net bits each image added to the message (its share of the payload, initial bits excluded).
    public var imageBits: [Double] = []
    /// Bits drawn from the initial-bits source (the seeded bits below the stack, including the lane
    /// heads): paid once per payload.
    public var initialBits: Int = 0
    /// Bytes of the whole payload (parameter block + serialized message).
    public var payloadBytes: Int = 0

    public init(imageBits: [Double] = [], initialBits: Int = 0, payloadBytes: Int = 0) {
        self.imageBits = imageBits
        self.initialBits = initialBits
        self.payloadBytes = payloadBytes
    }
}
