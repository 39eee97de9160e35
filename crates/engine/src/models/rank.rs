//! How well a score ranks customers who went on to buy above those who did
//! not: the area under the ROC curve, and the lift of the top tenth.

/// AUC by the rank-sum formula, ties counted half. `None` unless both
/// outcomes occur.
pub fn auc(score: &[f64], positive: &[bool]) -> Option<f64> {
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let positives = positive.iter().filter(|&&p| p).count() as f64;
    let negatives = score.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    // Average ranks (1-based) over runs of equal scores.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && score[order[j + 1]] == score[order[i]] {
            j += 1;
        }
        let average_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            if positive[k] {
                rank_sum += average_rank;
            }
        }
        i = j + 1;
    }
    Some((rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

/// The positive rate among the tenth with the highest scores over the
/// overall rate. `None` with fewer than 20 customers or no positives.
pub fn top_decile_lift(score: &[f64], positive: &[bool]) -> Option<f64> {
    let n = score.len();
    let overall = positive.iter().filter(|&&p| p).count() as f64 / n as f64;
    if n < 20 || overall == 0.0 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    // Highest first; ties in input order, so the result is deterministic.
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    let top = n.div_ceil(10);
    let hits = order[..top].iter().filter(|&&i| positive[i]).count() as f64;
    Some(hits / top as f64 / overall)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_of_perfect_reversed_and_tied_rankings() {
        let labels = [false, false, true, true];
        assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &labels), Some(1.0));
        assert_eq!(auc(&[0.9, 0.8, 0.2, 0.1], &labels), Some(0.0));
        assert_eq!(auc(&[0.5; 4], &labels), Some(0.5));
        assert_eq!(auc(&[0.1, 0.2], &[true, true]), None);
        // One positive above one of two negatives.
        assert_eq!(auc(&[0.1, 0.5, 0.3], &[false, false, true]), Some(0.5));
    }

    #[test]
    fn lift_of_the_top_tenth() {
        let score: Vec<f64> = (0..100).map(f64::from).collect();
        // The top 10 scores are all buyers; 20 buyers overall (rate 0.2).
        let positive: Vec<bool> = (0..100).map(|i| !(10..90).contains(&i)).collect();
        assert_eq!(top_decile_lift(&score, &positive), Some(5.0));
        assert_eq!(top_decile_lift(&score[..10], &positive[..10]), None);
    }
}
