// In-place sort for the handful of items a label set or a port list holds. Array#sort allocates a work
// area per call, which 10k workloads and 2k services per analysis turn into megabytes of garbage; an
// insertion sort of a few items allocates nothing.

/** Sorts `items` in place, ascending by `after(a, b)` ("a goes after b"); stable. Returns `items`. */
export function sortFew<T>(items: T[], after: (a: T, b: T) => boolean): T[] {
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    let j = i - 1;
    while (j >= 0 && after(items[j]!, item)) {
      items[j + 1] = items[j]!;
      j--;
    }
    items[j + 1] = item;
  }
  return items;
}
