/** A deterministic uniform generator in [0, 1) (Park–Miller), so the kernels are compared on the same data every run. */
export function seeded(seed: number): () => number {
  let s = seed % 2147483647;
  if (s <= 0) s += 2147483646;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}
