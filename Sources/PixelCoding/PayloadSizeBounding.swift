import Imaging

/// A coder that can tell, at a fraction of its coding cost, that its payload for some images would be
/// larger than a given size, so that a choice among coders (`vdmz compress --coder auto`) can leave it out.
///
/// `images` may be lazy (a dataset's model planes made one at a time): a coder reads them in order, may
/// read them more than once, and keeps no more of them at once than it needs.
public protocol PayloadSizeBounding: PixelCoder {
    /// The coder's size bound for `images`; it estimates nothing until asked (`PayloadSizeBound`).
    func sizeBound<Images: Collection>(for images: Images) -> any PayloadSizeBound
    where Images.Element == ModelImage
}

extension PayloadSizeBounding {
    /// Whether the coder's payload for `images` surely exceeds `bytes` (`PayloadSizeBound.surelyExceeds`).
    public func payloadSurelyExceeds<Images: Collection>(_ bytes: Int, for images: Images) throws -> Bool
    where Images.Element == ModelImage {
        try sizeBound(for: images).surelyExceeds(bytes)
    }
}

/// One coder's size bound for some images, estimated in stages as questions need them.
///
/// Contract: `surelyExceeds(bytes)` returns true only when the coder's payload for the images is, by its
/// estimate and beyond the estimate's measured error, larger than `bytes`; when in doubt it returns false.
/// Its answer depends only on the images, the size and the coder's own parameters: not on whether or
/// where `prepare` ran. Not for concurrent use: `prepare` may run on another thread, but it must have
/// returned before `surelyExceeds` is called.
public protocol PayloadSizeBound: AnyObject {
    /// Does the work that every answer needs (for the prior: its first stage's estimate) ahead of the first
    /// question, e.g. on another thread while other coders run; nothing when it is done already.
    func prepare() throws
    func surelyExceeds(_ bytes: Int) throws -> Bool
}
