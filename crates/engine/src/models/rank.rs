//! How well a score ranks customers who went on to buy above those who did
//! not: the area under the ROC curve, and the lift of the top tenth.

/// AUC by the rank-sum formula, ties counted half. `None` unless both
/// outcomes occur.
pub fn auc(score: &[f64], positive: &[bool]) -> Option<f64> {
    let positives = positive.iter().filter(|&&p| p).count() as f64;
    let negatives = score.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    // The pairs themselves sorted, not indices into them: a million
    // indirect comparisons missed the cache on every one. Within a run of
    // equal scores the order does not matter (each gets the run's rank).
    let mut pairs: Vec<(f64, bool)> = score
        .iter()
        .copied()
        .zip(positive.iter().copied())
        .collect();
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    // Average ranks (1-based) over runs of equal scores.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        while j + 1 < pairs.len() && pairs[j + 1].0 == pairs[i].0 {
            j += 1;
        }
        let average_rank = (i + j) as f64 / 2.0 + 1.0;
        for &(_, positive) in &pairs[i..=j] {
            if positive {
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
    // Highest first; ties in input order, so the result is deterministic.
    // Only which customers make the tenth matters, not their order: a
    // selection, not a sort.
    let mut order: Vec<(f64, u32)> = score.iter().zip(0..).map(|(&s, i)| (s, i)).collect();
    let top = n.div_ceil(10);
    order.select_nth_unstable_by(top - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let hits = order[..top]
        .iter()
        .filter(|&&(_, i)| positive[i as usize])
        .count() as f64;
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

    /// The plain definitions, on every pair of customers and on a stable
    /// sort, against the fast forms: ties in scores, and around the tenth.
    #[test]
    fn fast_forms_equal_the_definitions() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for n in [20, 37, 200, 1001] {
            // Few distinct scores: many ties, also across the tenth's edge.
            let score: Vec<f64> = (0..n)
                .map(|_| f64::from(rng.random_range(0..7u8)))
                .collect();
            let positive: Vec<bool> = score
                .iter()
                .map(|&s| rng.random::<f64>() < 0.1 + s / 10.0)
                .collect();
            let mut wins = 0.0;
            let (mut pos, mut neg) = (0.0, 0.0);
            for (i, &p) in positive.iter().enumerate() {
                if p {
                    pos += 1.0;
                } else {
                    neg += 1.0;
                    continue;
                }
                for (j, &q) in positive.iter().enumerate() {
                    if !q {
                        wins += match score[i].total_cmp(&score[j]) {
                            std::cmp::Ordering::Greater => 1.0,
                            std::cmp::Ordering::Equal => 0.5,
                            std::cmp::Ordering::Less => 0.0,
                        };
                    }
                }
            }
            let got = auc(&score, &positive).expect("both outcomes");
            assert!((got - wins / (pos * neg)).abs() < 1e-12, "n = {n}");

            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
            let top = n.div_ceil(10);
            let hits = order[..top].iter().filter(|&&i| positive[i]).count() as f64;
            let overall = pos / n as f64;
            assert_eq!(
                top_decile_lift(&score, &positive),
                Some(hits / top as f64 / overall)
            );
        }
    }
}
