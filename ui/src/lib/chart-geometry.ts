// Geometry of the SVG line charts: values scaled into a box, gaps splitting the line.

/** Polyline points for values scaled into the box; gaps (null) split the line. */
export function linePaths(values: (number | null | undefined)[], max: number, w: number, h: number): string[] {
  const paths: string[] = [];
  let current: string[] = [];
  const n = values.length;
  values.forEach((v, i) => {
    if (v === null || v === undefined || !Number.isFinite(v)) {
      if (current.length) paths.push(current.join(' '));
      current = [];
      return;
    }
    const x = n > 1 ? (i / (n - 1)) * w : 0;
    const y = h - (Math.min(v, max) / (max || 1)) * h;
    current.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  if (current.length) paths.push(current.join(' '));
  return paths;
}

