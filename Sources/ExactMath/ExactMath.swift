/// Deterministic elementary functions (DESIGN §3): the same bits on every machine, every build and every
/// thread count, because they use only IEEE-754 add, multiply, divide and explicit fused multiply-add.
/// Platform libm is never used where a result can reach a frequency table.
public enum ExactMath {}
