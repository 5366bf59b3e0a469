/// Names that an archive may restore a file under, inside the chosen directory: non-empty, with no
/// "/", "\\" or NUL and no "..", and not "." — so that an archive can never write outside it.
enum SafeName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name != "." && !name.contains("..") && !name.contains("/") && !name.contains("\\")
            && !name.contains("\u{0}")
    }
}
