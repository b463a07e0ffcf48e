//! Transforms of a bucketed series: moving averages and running totals.

use sitrep_model::figure::SmoothKind;

/// Moving average over `k` buckets.
///
/// * `Trailing`: bucket *i* and the k−1 before it (the report's "eight-week moving
///   average").
/// * `Centred`: k buckets centred on *i*; for even k the window leans one bucket back
///   (k = 4 covers i−2 … i+1).
///
/// Near the ends the window is cut to the buckets that exist and the mean is taken
/// over those, so the first value of a trailing average is the first raw value. An
/// unknown (NaN) value makes every window containing it unknown. `k` of 0 or 1 returns
/// the values unchanged.
///
/// ```
/// use sitrep_model::figure::SmoothKind;
/// let v = [3.0, 0.0, 6.0, 3.0];
/// assert_eq!(sitrep_analysis::moving_average(&v, 3, SmoothKind::Trailing), [3.0, 1.5, 3.0, 3.0]);
/// assert_eq!(sitrep_analysis::moving_average(&v, 3, SmoothKind::Centred), [1.5, 3.0, 3.0, 4.5]);
/// ```
pub fn moving_average(values: &[f64], k: usize, kind: SmoothKind) -> Vec<f64> {
    if k <= 1 {
        return values.to_vec();
    }
    let n = values.len();
    (0..n)
        .map(|i| {
            let (back, ahead) = match kind {
                SmoothKind::Trailing => (k - 1, 0),
                SmoothKind::Centred => (k / 2, (k - 1) / 2),
            };
            let lo = i.saturating_sub(back);
            let hi = (i + ahead).min(n - 1);
            let w = &values[lo..=hi];
            w.iter().sum::<f64>() / w.len() as f64
        })
        .collect()
}

/// Running totals: value *i* is the sum of values 0 … i.
pub fn cumulative(values: &[f64]) -> Vec<f64> {
    values
        .iter()
        .scan(0.0, |acc, v| {
            *acc += v;
            Some(*acc)
        })
        .collect()
}

/// [`moving_average`] of values that may be unknown: an average is unknown when any
/// value in its window is.
pub fn moving_average_known(
    values: &[Option<f64>],
    k: usize,
    kind: SmoothKind,
) -> Vec<Option<f64>> {
    known(&moving_average(&unknown_as_nan(values), k, kind))
}

/// [`cumulative`] of values that may be unknown: a running total is unknown from the
/// first unknown value on.
pub fn cumulative_known(values: &[Option<f64>]) -> Vec<Option<f64>> {
    known(&cumulative(&unknown_as_nan(values)))
}

// NaN propagates through the sums above exactly as "unknown" must; it stays inside
// these two functions.
fn unknown_as_nan(values: &[Option<f64>]) -> Vec<f64> {
    values.iter().map(|v| v.unwrap_or(f64::NAN)).collect()
}

fn known(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().map(|v| v.is_finite().then_some(*v)).collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn unknown_stays_unknown() {
        let v = [Some(1.0), None, Some(3.0), Some(5.0)];
        assert_eq!(cumulative_known(&v), [Some(1.0), None, None, None]);
        assert_eq!(
            moving_average_known(&v, 2, SmoothKind::Trailing),
            [Some(1.0), None, None, Some(4.0)]
        );
    }
    use super::*;

    #[test]
    fn trailing_by_hand() {
        // Eight-week trailing average of ten weeks, by hand:
        let v = [8.0, 0.0, 0.0, 4.0, 4.0, 0.0, 0.0, 0.0, 16.0, 8.0];
        let m = moving_average(&v, 8, SmoothKind::Trailing);
        assert_eq!(m[0], 8.0); // 8 / 1
        assert_eq!(m[1], 4.0); // 8 / 2
        assert_eq!(m[3], 3.0); // 12 / 4
        assert_eq!(m[7], 2.0); // (8+0+0+4+4+0+0+0) / 8
        assert_eq!(m[8], 3.0); // (0+0+4+4+0+0+0+16) / 8
        assert_eq!(m[9], 4.0); // (0+4+4+0+0+0+16+8) / 8
        assert_eq!(moving_average(&v, 1, SmoothKind::Trailing), v);
    }

    #[test]
    fn centred_by_hand() {
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        // k = 3: windows [0,1], [0,2], [1,3], [2,4], [3,4]
        assert_eq!(
            moving_average(&v, 3, SmoothKind::Centred),
            [1.5, 2.0, 3.0, 17.0 / 3.0, 7.0]
        );
        // k = 4 leans back: i-2 ..= i+1
        assert_eq!(
            moving_average(&v, 4, SmoothKind::Centred),
            [1.5, 2.0, 2.5, 19.0 / 4.0, 17.0 / 3.0]
        );
    }

    #[test]
    fn running_totals() {
        assert_eq!(cumulative(&[1.0, 0.0, 2.5, 0.0]), [1.0, 1.0, 3.5, 3.5]);
        assert!(cumulative(&[]).is_empty());
    }
}
