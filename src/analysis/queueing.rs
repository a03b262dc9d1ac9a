//! Analytic queueing models used for contact-center staffing.
//!
//! This module is pure mathematics (no I/O, no randomness) on `f64`; all
//! times are in **seconds** and all rates are **per second**. It provides:
//!
//! * [`erlang_b`] and [`erlang_c`]: the classic loss and delay formulas of
//!   A. K. Erlang, "Solution of some problems in the theory of probabilities
//!   of significance in automatic telephone exchanges" (1917).
//! * [`ErlangC`]: the M/M/c queue (Poisson arrivals, exponential service,
//!   `c` agents, infinitely patient callers, FCFS): probability of waiting,
//!   service level, average speed of answer (ASA), wait quantiles, occupancy.
//! * [`ErlangA`]: the M/M/c+M queue (exponential patience), introduced for
//!   call centers by O. Garnett, A. Mandelbaum and M. Reiman, "Designing a
//!   call center with impatient customers", *Manufacturing & Service
//!   Operations Management* 4(3), 2002.
//! * [`priority_mean_waits_s`]: mean waits per class in an M/M/c queue with
//!   non-preemptive priorities, after A. Cobham, "Priority assignment in
//!   waiting line problems", *Operations Research* 2(1), 1954.
//! * [`required_servers`]: the smallest staffing level meeting a
//!   [`StaffingTarget`].
//!
//! The presentation and notation (`a = lambda / mu` Erlangs, `c` agents,
//! service level as the share answered within a threshold) follow G. Koole,
//! *Call Center Mathematics* (lecture notes, Vrije Universiteit Amsterdam).
//!
//! # Numerical approach
//!
//! Everything must stay finite and accurate for thousands of servers, so no
//! factorials or powers are ever formed:
//!
//! * Erlang B uses the recursion `B(0) = 1`, `B(k) = a B(k-1) / (k + a B(k-1))`,
//!   and Erlang C is derived from it as `C = c B / (c - a (1 - B))`.
//! * Erlang A works with stationary probabilities *relative to state `c`*
//!   (all servers busy, empty queue). The states below `c` sum to `1 / B`
//!   relative to state `c` (Erlang B again), and the queue states are built by
//!   the ratio recursion `pi(c+j) / pi(c+j-1) = lambda / (c mu + j theta)`,
//!   rescaled if they would overflow and truncated once the remaining tail is
//!   provably below `1e-16` of the running sum (with a hard cap on the number
//!   of queue states).
//! * The Erlang A waiting-time distribution follows the "tagged customer"
//!   absorbing chain started from the distribution an arrival sees (PASTA).
//!   Because a caller's own patience is an independent exponential clock, the
//!   probability of being answered within `t` from `j` callers ahead has an
//!   exact closed form (a beta / negative-binomial identity, derived at
//!   `answered_from_queue_within`), evaluated in `O(1)` per queue state in log
//!   space. The unit tests check it against uniformization of the chain and
//!   against an RK4 integration of its forward equations.

/// A stationary queue term is negligible once the remaining tail is below this
/// fraction of the running sum.
const TAIL_EPS: f64 = 1e-16;

/// Hard cap on the number of queue states kept for Erlang A. It is only
/// reached when patience is many orders of magnitude longer than service and
/// the load is at or above capacity (then [`ErlangC`] is the better model).
const MAX_QUEUE_STATES: usize = 1 << 21;

/// Unnormalised stationary weights are rescaled when they exceed this value.
const RESCALE_THRESHOLD: f64 = 1e200;

/// Smallest search limit for [`required_servers`].
const MIN_SEARCH_LIMIT: f64 = (1u32 << 24) as f64;

/// Erlang B blocking probability for `servers` servers and offered traffic
/// `traffic` Erlangs (M/M/c/c loss system).
///
/// Uses the numerically stable recursion
/// `B(0) = 1`, `B(k) = a B(k-1) / (k + a B(k-1))`, which is `O(servers)` and
/// never overflows. Returns `1.0` for zero servers and `0.0` for zero traffic
/// (with at least one server).
pub fn erlang_b(servers: u32, traffic: f64) -> f64 {
    if servers == 0 {
        return 1.0;
    }
    if traffic <= 0.0 {
        return 0.0;
    }
    let mut b = 1.0;
    for k in 1..=servers {
        let ab = traffic * b;
        b = ab / (f64::from(k) + ab);
        if b == 0.0 {
            // Underflow: B stays exactly zero for every larger k.
            break;
        }
    }
    b
}

/// Erlang C probability that an arrival waits in an M/M/c queue with
/// `servers` servers and offered traffic `traffic` Erlangs.
///
/// Returns `1.0` when `traffic >= servers` (the queue is unstable and every
/// arrival waits) and `0.0` for zero traffic. Computed from Erlang B as
/// `C = c B / (c - a (1 - B))`.
pub fn erlang_c(servers: u32, traffic: f64) -> f64 {
    let c = f64::from(servers);
    if traffic >= c {
        return 1.0;
    }
    if traffic <= 0.0 {
        return 0.0;
    }
    erlang_c_from_b(c, traffic, erlang_b(servers, traffic))
}

/// Erlang C from an already computed Erlang B value (requires `a < c`).
fn erlang_c_from_b(c: f64, a: f64, b: f64) -> f64 {
    (c * b / (c - a * (1.0 - b))).min(1.0)
}

/// M/M/c (Erlang C) queue with arrival rate `arrival_rate` (per second) and
/// mean service time `mean_service_s` (seconds); callers never abandon and
/// are served first come, first served.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangC {
    /// Number of servers (agents), `c`.
    pub servers: u32,
    /// Poisson arrival rate `lambda`, per second.
    pub arrival_rate: f64,
    /// Mean of the exponential service time `1 / mu`, seconds.
    pub mean_service_s: f64,
}

impl ErlangC {
    /// Offered traffic `a = lambda / mu` in Erlangs.
    pub fn traffic(&self) -> f64 {
        self.arrival_rate * self.mean_service_s
    }

    /// Whether the queue is stable, i.e. `a < c`.
    pub fn is_stable(&self) -> bool {
        self.traffic() < f64::from(self.servers)
    }

    /// Probability that an arrival has to wait, `C(c, a)` (`1.0` if unstable).
    pub fn p_wait(&self) -> f64 {
        erlang_c(self.servers, self.traffic())
    }

    /// Service level `P(W <= t) = 1 - C e^{-(c mu - lambda) t}`.
    ///
    /// Returns `0.0` if the queue is unstable or `t_s < 0`.
    pub fn service_level(&self, t_s: f64) -> f64 {
        if !self.is_stable() || t_s < 0.0 {
            return 0.0;
        }
        let c_wait = self.p_wait();
        if c_wait == 0.0 {
            return 1.0;
        }
        let a = self.traffic();
        let decay = (f64::from(self.servers) - a) / self.mean_service_s;
        (1.0 - c_wait * (-decay * t_s).exp()).clamp(0.0, 1.0)
    }

    /// Average speed of answer `E[W] = C / (c mu - lambda)` in seconds, over
    /// all arrivals (those not waiting count as zero). `f64::INFINITY` if
    /// unstable.
    pub fn asa_s(&self) -> f64 {
        if !self.is_stable() {
            return f64::INFINITY;
        }
        let a = self.traffic();
        self.p_wait() * self.mean_service_s / (f64::from(self.servers) - a)
    }

    /// Smallest `t` with `P(W <= t) >= q`, in seconds.
    ///
    /// Returns `0.0` if `1 - C >= q` (including `q <= 0`) and `f64::INFINITY`
    /// if the queue is unstable or `q >= 1` cannot be reached.
    pub fn wait_quantile_s(&self, q: f64) -> f64 {
        if !self.is_stable() {
            return f64::INFINITY;
        }
        let c_wait = self.p_wait();
        if 1.0 - c_wait >= q {
            return 0.0;
        }
        if q >= 1.0 {
            return f64::INFINITY;
        }
        let a = self.traffic();
        (c_wait / (1.0 - q)).ln() * self.mean_service_s / (f64::from(self.servers) - a)
    }

    /// Agent occupancy `a / c`, capped at `1.0` (`1.0` for zero servers with
    /// positive traffic).
    pub fn occupancy(&self) -> f64 {
        let a = self.traffic();
        if self.servers == 0 {
            return if a > 0.0 { 1.0 } else { 0.0 };
        }
        (a / f64::from(self.servers)).min(1.0)
    }
}

/// M/M/c+M (Erlang A) queue: like [`ErlangC`] but each waiting caller abandons
/// after an exponential patience with mean `mean_patience_s` seconds.
///
/// `mean_patience_s = f64::INFINITY` means no abandonment; every method then
/// returns exactly what [`ErlangC`] returns (including its conventions for an
/// unstable queue). `mean_patience_s = 0` means callers who find all servers
/// busy leave at once (the Erlang B loss system).
///
/// Each method solves the model afresh in `O(c)` plus the number of queue
/// states kept (typically a few hundred); the struct is a plain parameter set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangA {
    /// Number of servers (agents), `c`.
    pub servers: u32,
    /// Poisson arrival rate `lambda`, per second.
    pub arrival_rate: f64,
    /// Mean of the exponential service time `1 / mu`, seconds.
    pub mean_service_s: f64,
    /// Mean of the exponential patience `1 / theta`, seconds.
    pub mean_patience_s: f64,
}

impl ErlangA {
    /// Offered traffic `a = lambda / mu` in Erlangs.
    pub fn traffic(&self) -> f64 {
        self.arrival_rate * self.mean_service_s
    }

    /// Probability that an arrival finds all servers busy (PASTA on the
    /// birth-death chain).
    pub fn p_wait(&self) -> f64 {
        self.model().p_wait()
    }

    /// Probability that an arrival abandons, `theta E[queue length] / lambda`.
    pub fn p_abandon(&self) -> f64 {
        self.model().p_abandon()
    }

    /// `P(answered AND wait <= t)`: the share of all arrivals answered within
    /// `t_s` seconds (`0.0` for `t_s < 0`).
    pub fn p_answered_within(&self, t_s: f64) -> f64 {
        self.model().p_answered_within(t_s)
    }

    /// Service level "answered within `t` over answered + abandoned".
    ///
    /// In steady state every arrival is eventually answered or abandons, so
    /// this equals [`ErlangA::p_answered_within`].
    pub fn service_level(&self, t_s: f64) -> f64 {
        self.p_answered_within(t_s)
    }

    /// Whether this staffing meets every constraint of `target`; without abandonment (infinite
    /// patience) the queue must also be stable.
    pub fn meets(&self, target: &StaffingTarget) -> bool {
        (self.mean_patience_s.is_finite() || self.traffic() < f64::from(self.servers))
            && self.model().meets(target)
    }

    /// Average speed of answer `E[W | answered]` in seconds
    /// (`f64::INFINITY` if nobody is ever answered).
    pub fn asa_s(&self) -> f64 {
        self.model().asa_s()
    }

    /// Mean time in queue over all arrivals (answered and abandoned),
    /// `E[Q] / lambda` by Little's law.
    pub fn mean_wait_all_s(&self) -> f64 {
        self.model().mean_wait_all_s()
    }

    /// Agent occupancy `E[busy servers] / c`, capped at `1.0` (`1.0` for zero
    /// servers with positive traffic, as in [`ErlangC::occupancy`]).
    pub fn occupancy(&self) -> f64 {
        self.model().occupancy()
    }

    /// Solves the model: classifies the degenerate cases and computes the
    /// stationary queue distribution otherwise.
    fn model(&self) -> Model {
        let a = self.traffic();
        if self.arrival_rate <= 0.0 || a <= 0.0 {
            return Model::Idle;
        }
        if self.mean_patience_s == f64::INFINITY {
            return Model::NoAbandonment(ErlangC {
                servers: self.servers,
                arrival_rate: self.arrival_rate,
                mean_service_s: self.mean_service_s,
            });
        }
        if self.servers == 0 {
            return Model::Unstaffed {
                mean_patience_s: self.mean_patience_s.max(0.0),
            };
        }
        if self.mean_patience_s <= 0.0 {
            return Model::Loss {
                servers: f64::from(self.servers),
                traffic: a,
                blocking: erlang_b(self.servers, a),
            };
        }
        Model::Abandonment(Abandonment::solve(
            self.servers,
            self.arrival_rate,
            self.mean_service_s,
            1.0 / self.mean_patience_s,
        ))
    }
}

/// A solved Erlang A model.
enum Model {
    /// No traffic: nobody waits.
    Idle,
    /// Infinite patience: exactly the Erlang C model.
    NoAbandonment(ErlangC),
    /// Positive traffic, no servers: everybody waits and abandons.
    Unstaffed { mean_patience_s: f64 },
    /// Zero patience: the Erlang B loss system.
    Loss {
        servers: f64,
        traffic: f64,
        blocking: f64,
    },
    /// The general case: `c >= 1`, `0 < theta < infinity`, `lambda > 0`.
    Abandonment(Abandonment),
}

impl Model {
    fn p_wait(&self) -> f64 {
        match self {
            Model::Idle => 0.0,
            Model::NoAbandonment(c) => c.p_wait(),
            Model::Unstaffed { .. } => 1.0,
            Model::Loss { blocking, .. } => *blocking,
            Model::Abandonment(m) => m.p_wait,
        }
    }

    fn p_abandon(&self) -> f64 {
        match self {
            Model::Idle | Model::NoAbandonment(_) => 0.0,
            Model::Unstaffed { .. } => 1.0,
            Model::Loss { blocking, .. } => *blocking,
            Model::Abandonment(m) => m.p_abandon(),
        }
    }

    fn p_answered_within(&self, t_s: f64) -> f64 {
        if t_s < 0.0 {
            return 0.0;
        }
        match self {
            Model::Idle => 1.0,
            Model::NoAbandonment(c) => c.service_level(t_s),
            Model::Unstaffed { .. } => 0.0,
            Model::Loss { blocking, .. } => 1.0 - blocking,
            Model::Abandonment(m) => m.p_answered_within(t_s),
        }
    }

    fn asa_s(&self) -> f64 {
        match self {
            Model::Idle | Model::Loss { .. } => 0.0,
            Model::NoAbandonment(c) => c.asa_s(),
            Model::Unstaffed { .. } => f64::INFINITY,
            Model::Abandonment(m) => m.asa_s(),
        }
    }

    fn mean_wait_all_s(&self) -> f64 {
        match self {
            Model::Idle | Model::Loss { .. } => 0.0,
            Model::NoAbandonment(c) => c.asa_s(),
            Model::Unstaffed { mean_patience_s } => *mean_patience_s,
            Model::Abandonment(m) => m.mean_queue / m.lambda,
        }
    }

    fn occupancy(&self) -> f64 {
        match self {
            Model::Idle => 0.0,
            Model::NoAbandonment(c) => c.occupancy(),
            Model::Unstaffed { .. } => 1.0,
            Model::Loss {
                servers,
                traffic,
                blocking,
            } => (traffic * (1.0 - blocking) / servers).min(1.0),
            // Throughput lambda (1 - P(ab)) equals mu E[busy].
            Model::Abandonment(m) => (m.traffic * (1.0 - m.p_abandon()) / m.servers).min(1.0),
        }
    }

    /// Whether this staffing level meets every constraint of `target`.
    fn meets(&self, target: &StaffingTarget) -> bool {
        target
            .max_occupancy
            .is_none_or(|max| self.occupancy() <= max)
            && target.max_asa_s.is_none_or(|max| self.asa_s() <= max)
            && target
                .service_level
                .is_none_or(|(share, t_s)| self.p_answered_within(t_s) >= share)
    }
}

/// Stationary solution of the general Erlang A model.
struct Abandonment {
    /// `c` as a float.
    servers: f64,
    /// Arrival rate `lambda`.
    lambda: f64,
    /// Offered traffic `a = lambda / mu`.
    traffic: f64,
    /// Total service rate when all servers are busy, `c mu`.
    c_mu: f64,
    /// Abandonment rate per waiting caller, `theta`.
    theta: f64,
    /// `queue[j] = pi(c + j)`: the stationary probability (and, by PASTA, the
    /// probability that an arrival sees) `j` callers waiting with all servers
    /// busy. Truncated where the remaining tail is negligible.
    queue: Vec<f64>,
    /// `P(all servers busy) = sum_j pi(c + j)`.
    p_wait: f64,
    /// `E[queue length] = sum_j j pi(c + j)`.
    mean_queue: f64,
}

impl Abandonment {
    /// Computes the stationary distribution of the birth-death chain with
    /// birth rate `lambda` and death rate `min(k, c) mu + max(k - c, 0) theta`.
    fn solve(servers: u32, lambda: f64, mean_service_s: f64, theta: f64) -> Self {
        let c = f64::from(servers);
        let traffic = lambda * mean_service_s;
        let c_mu = c / mean_service_s;
        let mut model = Abandonment {
            servers: c,
            lambda,
            traffic,
            c_mu,
            theta,
            queue: Vec::new(),
            p_wait: 0.0,
            mean_queue: 0.0,
        };
        // Relative to pi(c), the states 0..=c sum to 1 / B(c, a).
        let blocking = erlang_b(servers, traffic);
        if blocking == 0.0 {
            // pi(c) underflows: the queue is (numerically) never reached.
            return model;
        }

        // Unnormalised weights w[j] = scale * pi(c + j) / pi(c), scale <= 1.
        let mut weights = vec![1.0];
        let mut sum = 1.0;
        let mut ln_scale = 0.0;
        let mut term = 1.0;
        for j in 1..MAX_QUEUE_STATES {
            term *= lambda / (c_mu + j as f64 * theta);
            if term > RESCALE_THRESHOLD {
                weights.iter_mut().for_each(|w| *w /= RESCALE_THRESHOLD);
                term /= RESCALE_THRESHOLD;
                sum /= RESCALE_THRESHOLD;
                ln_scale -= RESCALE_THRESHOLD.ln();
            }
            weights.push(term);
            sum += term;
            // All later ratios are at most `next`, so once it is below one the
            // rest of the tail is bounded by a geometric series.
            let next = lambda / (c_mu + (j + 1) as f64 * theta);
            if next < 1.0 && term * next / (1.0 - next) <= TAIL_EPS * sum {
                break;
            }
        }

        // pi(c + j) = B w[j] / (scale (1 - B) + B sum): the lower states
        // contribute pi(c) (1/B - 1) to the normalisation.
        let scale = ln_scale.exp();
        let denominator = scale * (1.0 - blocking) + blocking * sum;
        let factor = blocking / denominator;
        model.queue = weights.into_iter().map(|w| w * factor).collect();
        model.p_wait = (sum * factor).min(1.0);
        model.mean_queue = model
            .queue
            .iter()
            .enumerate()
            .map(|(j, p)| j as f64 * p)
            .sum();
        model
    }

    /// `P(abandon) = theta E[Q] / lambda`.
    fn p_abandon(&self) -> f64 {
        (self.theta * self.mean_queue / self.lambda).min(1.0)
    }

    /// `E[W | answered]` from the tagged-customer recursion.
    ///
    /// With `m` callers ahead, the tagged caller stays an `Exp(r_m)` time,
    /// `r_m = c mu + m theta + theta`, then moves on (to `m - 1`, or to
    /// service from `m = 0`) with probability `d_m / r_m`, `d_m = c mu +
    /// m theta`, independently of the sojourn. Hence, with `s_m` the answer
    /// probability and `e_m = E[W 1{answered}]`:
    /// `s_m = d_m / r_m s_{m-1}` and `e_m = s_m / r_m + d_m / r_m e_{m-1}`,
    /// starting from `s_{-1} = 1`, `e_{-1} = 0`.
    fn asa_s(&self) -> f64 {
        let mut s = 1.0;
        let mut e = 0.0;
        let mut answered = 1.0 - self.p_wait;
        let mut weighted_wait = 0.0;
        for (m, p) in self.queue.iter().enumerate() {
            let d = self.c_mu + m as f64 * self.theta;
            let r = d + self.theta;
            s *= d / r;
            e = s / r + d / r * e;
            answered += p * s;
            weighted_wait += p * e;
        }
        if answered <= 0.0 {
            f64::INFINITY
        } else {
            weighted_wait / answered
        }
    }

    /// `P(answered AND W <= t)`: callers finding a free server are answered
    /// at once; the rest follow the tagged-customer chain.
    fn p_answered_within(&self, t_s: f64) -> f64 {
        let from_queue = answered_from_queue_within(&self.queue, self.c_mu, self.theta, t_s);
        ((1.0 - self.p_wait) + from_queue).clamp(0.0, 1.0)
    }
}

/// `sum_j queue[j] P(answered within t | j callers ahead)`, exactly, in
/// `O(queue.len())`.
///
/// The tagged caller with `m` ahead moves to `m - 1` at rate
/// `d_m = c mu + m theta` (to service from `m = 0`) and abandons at rate
/// `theta`. Its own patience is an independent `Exp(theta)` clock, so with
/// `tau_j` the time to reach service from `j` ahead (a sum of independent
/// `Exp(theta (alpha + m))`, `m = 0..=j`, `alpha = c mu / theta`):
/// `G_j(t) = P(answered within t) = E[e^{-theta tau_j}; tau_j <= t]`.
/// As a product of `Beta(alpha + m, 1)` variables, `X = e^{-theta tau_j}` is
/// `Beta(alpha, j + 1)`, hence
/// `G_j(t) = E[X; X >= y] = alpha / (alpha + j + 1) P(X' >= y)` with
/// `X' ~ Beta(alpha + 1, j + 1)` and `y = e^{-theta t}`. `P(X' >= y)` is the
/// probability that a pure birth process with rates `theta (alpha + 1 + n)`
/// makes more than `j` births by `t`; its count is negative binomial, so
/// `G_j(t) = s_j (1 - sum_{n <= j} q_n)` with `s_j = c mu / (c mu + (j+1) theta)`
/// (the probability of being answered at all), `q_0 = e^{-(c mu + theta) t}`
/// and `q_n = q_{n-1} (c mu + n theta) / (n theta) (1 - y)`.
///
/// The `q_n` are accumulated in log space with compensated summation, so
/// neither underflow of `q_0` nor rounding drift is an issue.
fn answered_from_queue_within(queue: &[f64], c_mu: f64, theta: f64, t_s: f64) -> f64 {
    if queue.is_empty() || t_s <= 0.0 {
        return 0.0;
    }
    let answer_probability = |j: usize| c_mu / (c_mu + (j + 1) as f64 * theta);
    if t_s == f64::INFINITY {
        return queue
            .iter()
            .enumerate()
            .map(|(j, p)| p * answer_probability(j))
            .sum();
    }
    let ln_escape = (-(-theta * t_s).exp_m1()).ln(); // ln(1 - y)
    let mut ln_q = CompensatedSum::new(-(c_mu + theta) * t_s);
    let mut cdf = 0.0;
    let mut total = 0.0;
    for (j, p) in queue.iter().enumerate() {
        if j > 0 {
            ln_q.add((c_mu / (j as f64 * theta)).ln_1p() + ln_escape);
        }
        cdf += ln_q.value().exp();
        let survival = 1.0 - cdf;
        if survival <= 0.0 {
            break;
        }
        total += p * answer_probability(j) * survival;
    }
    total
}

/// Neumaier-compensated running sum (accurate to a few ulps of the result
/// even after millions of additions).
struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    fn new(start: f64) -> Self {
        CompensatedSum {
            sum: start,
            compensation: 0.0,
        }
    }

    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.compensation += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// Mean waits (seconds) per class in an M/M/c queue with non-preemptive
/// priority (class 0 highest) and the same exponential service time
/// `mean_service_s` for every class; `arrival_rates[k]` is class `k`'s rate.
///
/// Cobham (1954): `W_k = C(c, a) / (c mu (1 - s_{k-1}) (1 - s_k))` with
/// `s_k = sum_{i <= k} lambda_i / (c mu)`, `s_{-1} = 0` and `a` the total
/// traffic. Classes with `s_k >= 1` get `f64::INFINITY`. If the total load is
/// unstable but some high-priority classes are not, those classes see all
/// servers always busy (`C = 1`), which is exactly what the formula gives
/// with [`erlang_c`] returning `1.0`.
pub fn priority_mean_waits_s(servers: u32, arrival_rates: &[f64], mean_service_s: f64) -> Vec<f64> {
    let c_mu = f64::from(servers) / mean_service_s;
    let total_traffic: f64 = arrival_rates.iter().sum::<f64>() * mean_service_s;
    let c_wait = erlang_c(servers, total_traffic);
    let mut previous = 0.0;
    let mut cumulative_rate = 0.0;
    arrival_rates
        .iter()
        .map(|&rate| {
            cumulative_rate += rate;
            let current = cumulative_rate / c_mu;
            let wait = if current >= 1.0 || !current.is_finite() {
                f64::INFINITY
            } else if c_wait == 0.0 {
                0.0
            } else {
                c_wait / (c_mu * (1.0 - previous) * (1.0 - current))
            };
            previous = current;
            wait
        })
        .collect()
}

/// Staffing constraints for [`required_servers`]; `None` means unconstrained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaffingTarget {
    /// `(target share, threshold seconds)`: the service level at the
    /// threshold must be at least the share (e.g. `(0.8, 20.0)` for 80/20).
    pub service_level: Option<(f64, f64)>,
    /// Maximum average speed of answer (seconds).
    pub max_asa_s: Option<f64>,
    /// Maximum agent occupancy (share in `[0, 1]`).
    pub max_occupancy: Option<f64>,
}

/// Smallest number of servers `n >= 1` meeting `target`.
///
/// Uses [`ErlangA`] when `mean_patience_s` is finite and [`ErlangC`]
/// otherwise; for Erlang C the answer is also always stable (`n > traffic`).
/// With Erlang A, abandonment keeps the queue stable at any staffing level,
/// so the answer may lie below the offered traffic when the targets allow.
///
/// The search starts at `ceil(traffic)`, gallops (doubling steps) in the
/// direction of the boundary and then bisects, so only `O(log n)` models are
/// evaluated (fast for 5000 Erlangs and beyond). It relies on every metric
/// being monotone in the number of servers, which holds for these models.
///
/// Returns `u32::MAX` if no staffing level up to
/// `max(2^24, 4 * traffic)` meets the targets (for instance a maximum
/// occupancy of zero, or a NaN in the inputs).
pub fn required_servers(
    arrival_rate: f64,
    mean_service_s: f64,
    mean_patience_s: f64,
    target: StaffingTarget,
) -> u32 {
    let traffic = arrival_rate * mean_service_s;
    let limit = (4.0 * traffic)
        .max(MIN_SEARCH_LIMIT)
        .min(f64::from(u32::MAX)) as u32;
    let found = if mean_patience_s.is_finite() {
        let start = traffic.ceil().max(1.0).min(f64::from(limit)) as u32;
        smallest_feasible(start, 1, limit, |servers| {
            ErlangA {
                servers,
                arrival_rate,
                mean_service_s,
                mean_patience_s,
            }
            .meets(&target)
        })
    } else {
        let stable_min = (traffic.max(0.0).floor() + 1.0).min(f64::from(u32::MAX)) as u32;
        if stable_min > limit {
            return u32::MAX;
        }
        smallest_feasible(stable_min, stable_min, limit, |servers| {
            let queue = ErlangC {
                servers,
                arrival_rate,
                mean_service_s,
            };
            queue.is_stable() && Model::NoAbandonment(queue).meets(&target)
        })
    };
    found.unwrap_or(u32::MAX)
}

/// Smallest `n` in `[min, max]` with `feasible(n)`, assuming feasibility is
/// monotone (once feasible, feasible for every larger `n`). Gallops from
/// `start` towards the boundary, then bisects.
fn smallest_feasible(
    start: u32,
    min: u32,
    max: u32,
    mut feasible: impl FnMut(u32) -> bool,
) -> Option<u32> {
    let start = start.clamp(min, max);
    let mut step = 1u32;
    let (mut infeasible, mut ok) = if feasible(start) {
        // Walk down until an infeasible level is found.
        let mut ok = start;
        loop {
            if ok == min {
                return Some(min);
            }
            let probe = ok.saturating_sub(step).max(min);
            if !feasible(probe) {
                break (probe, ok);
            }
            ok = probe;
            step = step.saturating_mul(2);
        }
    } else {
        // Walk up until a feasible level is found.
        let mut infeasible = start;
        loop {
            if infeasible == max {
                return None;
            }
            let probe = infeasible.saturating_add(step).min(max);
            if feasible(probe) {
                break (infeasible, probe);
            }
            infeasible = probe;
            step = step.saturating_mul(2);
        }
    };
    while ok - infeasible > 1 {
        let mid = infeasible + (ok - infeasible) / 2;
        if feasible(mid) {
            ok = mid;
        } else {
            infeasible = mid;
        }
    }
    Some(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Probability mass below which the tagged-customer chain counts as absorbed.
    const ABSORBED_EPS: f64 = 1e-16;

    fn assert_close(actual: f64, expected: f64, rel: f64, what: &str) {
        let scale = expected.abs().max(1e-300);
        assert!(
            ((actual - expected) / scale).abs() <= rel,
            "{what}: got {actual}, expected {expected} (rel tol {rel})"
        );
    }

    /// Erlang B from the textbook sum `(a^c/c!) / sum_k a^k/k!` (small c only).
    fn factorial_erlang_b(c: u32, a: f64) -> f64 {
        let terms: Vec<f64> = (0..=c)
            .map(|k| a.powi(k as i32) / (1..=k).map(f64::from).product::<f64>())
            .collect();
        terms[c as usize] / terms.iter().sum::<f64>()
    }

    /// Erlang C from the textbook factorial formula (small c only).
    fn factorial_erlang_c(c: u32, a: f64) -> f64 {
        let cf = f64::from(c);
        let top = a.powi(c as i32) / (1..=c).map(f64::from).product::<f64>() * cf / (cf - a);
        let lower: f64 = (0..c)
            .map(|k| a.powi(k as i32) / (1..=k).map(f64::from).product::<f64>())
            .sum();
        top / (lower + top)
    }

    /// Erlang B and C via log-space sums of `k ln a - ln k!` (log-sum-exp),
    /// usable for thousands of servers.
    fn log_space_erlang_b_c(c: u32, a: f64) -> (f64, f64) {
        let mut ln_terms = Vec::with_capacity(c as usize + 1);
        let mut ln_fact = 0.0;
        for k in 0..=c {
            if k > 0 {
                ln_fact += f64::from(k).ln();
            }
            ln_terms.push(f64::from(k) * a.ln() - ln_fact);
        }
        let peak = ln_terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let rel: Vec<f64> = ln_terms.iter().map(|l| (l - peak).exp()).collect();
        let all: f64 = rel.iter().sum();
        let below: f64 = rel[..c as usize].iter().sum();
        let top = rel[c as usize];
        let cf = f64::from(c);
        let waiting = top * cf / (cf - a);
        (top / all, waiting / (below + waiting))
    }

    /// Independently computed Erlang A metrics for small `c`: factorial
    /// stationary distribution, and an RK4 integration of the forward
    /// equations of the tagged-customer chain.
    struct ReferenceA {
        p_wait: f64,
        p_abandon: f64,
        occupancy: f64,
        mean_wait_all: f64,
        /// `(t, P(answered and W <= t))`
        answered_within: Vec<(f64, f64)>,
        answered_eventually: f64,
        asa: f64,
    }

    fn reference_erlang_a(
        c: u32,
        lambda: f64,
        mean_service: f64,
        patience: f64,
        times: &[f64],
    ) -> ReferenceA {
        let mu = 1.0 / mean_service;
        let theta = 1.0 / patience;
        let a = lambda / mu;
        let cf = f64::from(c);
        let c_mu = cf * mu;
        let kmax = 80usize;
        let mut q = Vec::with_capacity(kmax);
        for k in 0..kmax {
            let kk = k as u32;
            if kk <= c {
                q.push(a.powi(kk as i32) / (1..=kk).map(f64::from).product::<f64>());
            } else {
                let j = f64::from(kk - c);
                let prev = q[k - 1];
                q.push(prev * lambda / (c_mu + j * theta));
            }
        }
        let norm: f64 = q.iter().sum();
        let pi: Vec<f64> = q.iter().map(|x| x / norm).collect();
        let p_wait: f64 = pi[c as usize..].iter().sum();
        let mean_queue: f64 = pi
            .iter()
            .enumerate()
            .skip(c as usize)
            .map(|(k, p)| (k - c as usize) as f64 * p)
            .sum();
        let busy: f64 = pi
            .iter()
            .enumerate()
            .map(|(k, p)| (k as f64).min(cf) * p)
            .sum();

        // Forward equations of the tagged chain, mixed over the arrival's view,
        // integrated by classic RK4. State: v_0..v_{K-1}, then the answered
        // mass S (dS/dt = c mu v_0) and E = E[W 1{answered}] (dE/dt = t c mu v_0).
        let states = kmax - c as usize;
        let rate = |m: usize| c_mu + (m + 1) as f64 * theta; // r_m = d_{m+1}
        let deriv = |t: f64, x: &[f64], out: &mut [f64]| {
            for m in 0..states {
                let inflow = if m + 1 < states {
                    rate(m) * x[m + 1]
                } else {
                    0.0
                };
                out[m] = -rate(m) * x[m] + inflow;
            }
            out[states] = c_mu * x[0];
            out[states + 1] = t * c_mu * x[0];
        };
        let mut x: Vec<f64> = pi[c as usize..].to_vec();
        x.extend([0.0, 0.0]);
        let n = x.len();
        let (mut k1, mut k2, mut k3, mut k4, mut tmp) = (
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
        );
        let dt = 0.01;
        let end = 2500.0;
        let mut answered_within = Vec::new();
        let mut next_time = 0;
        for step in 0..=(end / dt) as usize {
            let t = step as f64 * dt;
            while next_time < times.len() && (times[next_time] - t).abs() < dt / 2.0 {
                answered_within.push((t, 1.0 - p_wait + x[states]));
                next_time += 1;
            }
            deriv(t, &x, &mut k1);
            for i in 0..n {
                tmp[i] = x[i] + 0.5 * dt * k1[i];
            }
            deriv(t + 0.5 * dt, &tmp, &mut k2);
            for i in 0..n {
                tmp[i] = x[i] + 0.5 * dt * k2[i];
            }
            deriv(t + 0.5 * dt, &tmp, &mut k3);
            for i in 0..n {
                tmp[i] = x[i] + dt * k3[i];
            }
            deriv(t + dt, &tmp, &mut k4);
            for i in 0..n {
                x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
            }
        }
        let (served, wait_served) = (x[states], x[states + 1]);
        let answered_eventually = 1.0 - p_wait + served;
        ReferenceA {
            p_wait,
            p_abandon: theta * mean_queue / lambda,
            occupancy: busy / cf,
            mean_wait_all: mean_queue / lambda,
            answered_within,
            answered_eventually,
            asa: wait_served / answered_eventually,
        }
    }

    /// Reference for `answered_from_queue_within` by a different method:
    /// `sum_j initial[j] P(answered within t | j callers ahead)` for the
    /// absorbing tagged-customer chain: from `m` ahead it moves to `m - 1` at rate
    /// `c mu + m theta`, abandons at rate `theta`, and from `m = 0` is answered at
    /// rate `c mu`.
    ///
    /// Exact up to `~1e-16` truncations: uniformization with rate
    /// `Lambda = max_m r_m` gives `sum_n Poisson(n; Lambda t) S_n`, where `S_n` is
    /// the answered mass after `n` steps of the embedded discrete chain.
    /// States that need more jumps than the Poisson right tail allows are dropped,
    /// and the stepping stops early once the chain is absorbed.
    fn uniformized_answered_within(initial: &[f64], c_mu: f64, theta: f64, t_s: f64) -> f64 {
        if initial.is_empty() || t_s <= 0.0 {
            return 0.0;
        }
        if t_s == f64::INFINITY {
            // P(answered | m ahead) = c mu / (c mu + (m + 1) theta).
            return initial
                .iter()
                .enumerate()
                .map(|(m, p)| p * c_mu / (c_mu + (m + 1) as f64 * theta))
                .sum();
        }
        // A caller with m ahead needs m + 1 jumps, each at rate <= max rate.
        let max_rate = c_mu + initial.len() as f64 * theta;
        let reachable = poisson_upper(max_rate * t_s).saturating_add(1);
        let states = initial.len().min(reachable);
        let unif = c_mu + states as f64 * theta;
        let mean_jumps = unif * t_s;
        let max_steps = poisson_upper(mean_jumps);

        let stay: Vec<f64> = (0..states)
            .map(|m| 1.0 - (c_mu + (m + 1) as f64 * theta) / unif)
            .collect();
        let advance: Vec<f64> = (0..states)
            .map(|m| (c_mu + m as f64 * theta) / unif)
            .collect();
        let mut v = initial[..states].to_vec();
        let mut answered = 0.0;
        let mut answered_after = vec![0.0];
        while answered_after.len() <= max_steps {
            answered += v[0] * advance[0];
            let mut mass = 0.0;
            for m in 0..states - 1 {
                v[m] = v[m] * stay[m] + v[m + 1] * advance[m + 1];
                mass += v[m];
            }
            v[states - 1] *= stay[states - 1];
            mass += v[states - 1];
            answered_after.push(answered);
            if mass < ABSORBED_EPS {
                break;
            }
        }
        poisson_mixture(mean_jumps, &answered_after)
    }

    /// An index beyond which a Poisson(`mean`) variable lies with probability
    /// below `e^-60` (Chernoff bound with `12 sqrt(mean) + 40` of slack).
    fn poisson_upper(mean: f64) -> usize {
        (mean + 12.0 * mean.sqrt() + 40.0).ceil() as usize
    }

    /// `sum_n Poisson(n; mean) values[min(n, last)]`, with the weights computed
    /// outward from the mode by ratio recursion (no underflow, no factorials) and
    /// truncated `12 sqrt(mean) + 40` from the mean on either side.
    fn poisson_mixture(mean: f64, values: &[f64]) -> f64 {
        let last = values.len() - 1;
        let at = |n: usize| values[n.min(last)];
        let spread = 12.0 * mean.sqrt() + 40.0;
        let low = (mean - spread).max(0.0) as usize;
        if last <= low {
            // The sequence is constant wherever the Poisson weights are not.
            return values[last];
        }
        let mode = mean.floor() as usize;
        let high = (mean + spread).ceil() as usize;
        let mut total = 1.0;
        let mut acc = at(mode);
        let mut w = 1.0;
        for n in mode + 1..=high {
            w *= mean / n as f64;
            total += w;
            acc += w * at(n);
        }
        w = 1.0;
        for n in (low..mode).rev() {
            w *= (n + 1) as f64 / mean;
            total += w;
            acc += w * at(n);
        }
        acc / total
    }

    #[test]
    fn erlang_b_matches_tables_and_factorial_sum() {
        assert_close(erlang_b(10, 5.0), 0.018385, 1e-4, "B(10, 5)");
        for &(c, a) in &[(1u32, 0.5), (5, 3.0), (10, 5.0), (20, 25.0), (30, 12.5)] {
            assert_close(erlang_b(c, a), factorial_erlang_b(c, a), 1e-12, "B vs sum");
        }
        assert_eq!(erlang_b(0, 3.0), 1.0);
        assert_eq!(erlang_b(3, 0.0), 0.0);
    }

    #[test]
    fn erlang_c_matches_factorial_formula() {
        for &(c, a) in &[(1u32, 0.5), (2, 1.5), (14, 10.0), (25, 24.9), (40, 20.0)] {
            assert_close(erlang_c(c, a), factorial_erlang_c(c, a), 1e-11, "C vs sum");
        }
        assert_eq!(erlang_c(10, 10.0), 1.0);
        assert_eq!(erlang_c(10, 12.0), 1.0);
        assert_eq!(erlang_c(10, 0.0), 0.0);
    }

    /// The classic worked example: 100 calls per 30 minutes, AHT 180 s,
    /// target 80 % answered within 20 s.
    #[test]
    fn erlang_c_classic_worked_example() {
        let lambda = 100.0 / 1800.0;
        let q14 = ErlangC {
            servers: 14,
            arrival_rate: lambda,
            mean_service_s: 180.0,
        };
        assert_close(q14.traffic(), 10.0, 1e-12, "traffic");
        assert!(q14.is_stable());
        assert_close(q14.p_wait(), 0.1741, 1e-3, "P(wait) with 14 agents");
        assert_close(q14.service_level(20.0), 0.8885, 1e-3, "SL with 14 agents");
        assert_close(q14.asa_s(), q14.p_wait() * 180.0 / 4.0, 1e-12, "ASA");
        assert_close(q14.occupancy(), 10.0 / 14.0, 1e-12, "occupancy");
        let q13 = ErlangC { servers: 13, ..q14 };
        assert!(q13.service_level(20.0) < 0.80);
        let target = StaffingTarget {
            service_level: Some((0.8, 20.0)),
            max_asa_s: None,
            max_occupancy: None,
        };
        assert_eq!(required_servers(lambda, 180.0, f64::INFINITY, target), 14);
    }

    #[test]
    fn erlang_c_wait_quantile_inverts_service_level() {
        let q = ErlangC {
            servers: 14,
            arrival_rate: 100.0 / 1800.0,
            mean_service_s: 180.0,
        };
        assert_eq!(q.wait_quantile_s(0.5), 0.0);
        assert_eq!(q.wait_quantile_s(1.0 - q.p_wait()), 0.0);
        for &p in &[0.85, 0.9, 0.95, 0.999] {
            let t = q.wait_quantile_s(p);
            assert!(t > 0.0);
            assert_close(q.service_level(t), p, 1e-12, "SL(quantile(p))");
        }
        assert_eq!(q.wait_quantile_s(1.0), f64::INFINITY);
    }

    #[test]
    fn erlang_c_unstable_conventions() {
        let q = ErlangC {
            servers: 10,
            arrival_rate: 11.0 / 180.0,
            mean_service_s: 180.0,
        };
        assert!(!q.is_stable());
        assert_eq!(q.p_wait(), 1.0);
        assert_eq!(q.service_level(20.0), 0.0);
        assert_eq!(q.asa_s(), f64::INFINITY);
        assert_eq!(q.wait_quantile_s(0.5), f64::INFINITY);
        assert_eq!(q.occupancy(), 1.0);
    }

    #[test]
    fn erlang_c_with_more_than_a_thousand_servers() {
        let (c, a) = (1040u32, 1000.0);
        let b = erlang_b(c, a);
        let (b_ref, c_ref) = log_space_erlang_b_c(c, a);
        assert_close(b, b_ref, 1e-9, "B(1040, 1000)");
        let cw = erlang_c(c, a);
        assert!(cw.is_finite() && cw > 0.0 && cw < 1.0, "C = {cw}");
        let cf = f64::from(c);
        assert_close(cw, cf * b / (cf - a * (1.0 - b)), 1e-14, "C from B");
        assert_close(cw, c_ref, 1e-9, "C(1040, 1000) vs log-space");

        let q = ErlangC {
            servers: c,
            arrival_rate: a / 300.0,
            mean_service_s: 300.0,
        };
        for v in [q.service_level(20.0), q.asa_s(), q.wait_quantile_s(0.95)] {
            assert!(v.is_finite() && v >= 0.0, "{v}");
        }
        // Even larger: 5000 agents, far from overflow trouble.
        let (b_ref, c_ref) = log_space_erlang_b_c(5000, 4900.0);
        assert_close(erlang_b(5000, 4900.0), b_ref, 1e-8, "B(5000, 4900)");
        assert_close(erlang_c(5000, 4900.0), c_ref, 1e-8, "C(5000, 4900)");
    }

    #[test]
    fn erlang_a_matches_independent_computation() {
        // (c, lambda, mean service, mean patience): overloaded and underloaded.
        let cases = [
            (2u32, 1.0 / 25.0, 60.0, 90.0),
            (3, 2.5 / 120.0, 120.0, 60.0),
            (1, 1.0 / 100.0, 80.0, 200.0),
        ];
        let times = [0.0, 5.0, 20.0, 60.0];
        for &(c, lambda, service, patience) in &cases {
            let model = ErlangA {
                servers: c,
                arrival_rate: lambda,
                mean_service_s: service,
                mean_patience_s: patience,
            };
            let r = reference_erlang_a(c, lambda, service, patience, &times);
            assert_close(model.p_wait(), r.p_wait, 1e-12, "p_wait");
            assert_close(model.p_abandon(), r.p_abandon, 1e-12, "p_abandon");
            assert_close(model.occupancy(), r.occupancy, 1e-12, "occupancy");
            assert_close(model.mean_wait_all_s(), r.mean_wait_all, 1e-12, "E[W]");
            // The tagged-customer chain agrees with the stationary balance.
            assert_close(
                1.0 - r.answered_eventually,
                r.p_abandon,
                1e-9,
                "chain vs Little",
            );
            assert_close(
                model.p_answered_within(f64::INFINITY),
                1.0 - r.p_abandon,
                1e-12,
                "answered eventually",
            );
            assert_eq!(r.answered_within.len(), times.len());
            for &(t, expected) in &r.answered_within {
                let got = model.p_answered_within(t);
                assert_close(got, expected, 1e-9, &format!("answered within {t}"));
                assert_eq!(model.service_level(t), got);
            }
            assert_close(model.asa_s(), r.asa, 1e-8, "ASA");
        }
    }

    #[test]
    fn erlang_a_tends_to_erlang_c_for_patient_callers() {
        let lambda = 100.0 / 1800.0;
        let c_model = ErlangC {
            servers: 14,
            arrival_rate: lambda,
            mean_service_s: 180.0,
        };
        let patient = ErlangA {
            servers: 14,
            arrival_rate: lambda,
            mean_service_s: 180.0,
            mean_patience_s: 1e9,
        };
        assert_close(patient.p_wait(), c_model.p_wait(), 1e-5, "p_wait");
        assert!(patient.p_abandon() < 1e-6);
        assert_close(
            patient.service_level(20.0),
            c_model.service_level(20.0),
            1e-6,
            "SL",
        );
        assert_close(patient.asa_s(), c_model.asa_s(), 1e-5, "ASA");
        assert_close(patient.occupancy(), c_model.occupancy(), 1e-6, "occupancy");

        // Infinite patience is exactly Erlang C.
        let infinite = ErlangA {
            mean_patience_s: f64::INFINITY,
            ..patient
        };
        assert_eq!(infinite.p_wait(), c_model.p_wait());
        assert_eq!(infinite.service_level(20.0), c_model.service_level(20.0));
        assert_eq!(infinite.asa_s(), c_model.asa_s());
        assert_eq!(infinite.mean_wait_all_s(), c_model.asa_s());
        assert_eq!(infinite.p_abandon(), 0.0);

        // ... including the unstable conventions.
        let unstable = ErlangA {
            servers: 9,
            ..infinite
        };
        assert_eq!(unstable.p_wait(), 1.0);
        assert_eq!(unstable.p_abandon(), 0.0);
        assert_eq!(unstable.service_level(20.0), 0.0);
        assert_eq!(unstable.asa_s(), f64::INFINITY);
    }

    #[test]
    fn erlang_a_abandonment_improves_on_erlang_c() {
        let base = ErlangA {
            servers: 14,
            arrival_rate: 100.0 / 1800.0,
            mean_service_s: 180.0,
            mean_patience_s: 120.0,
        };
        let c_model = ErlangC {
            servers: 14,
            arrival_rate: base.arrival_rate,
            mean_service_s: 180.0,
        };
        assert!(base.p_wait() < c_model.p_wait());
        assert!(base.p_abandon() > 0.0 && base.p_abandon() < base.p_wait());
        assert!(base.service_level(20.0) > c_model.service_level(20.0) - 1e-3);
        assert!(base.asa_s() < c_model.asa_s() / c_model.p_wait());
        let mut previous = 0.0;
        for t in [0.0, 1.0, 10.0, 30.0, 100.0, 1000.0] {
            let sl = base.service_level(t);
            assert!(sl >= previous && sl <= 1.0 - base.p_abandon() + 1e-15);
            previous = sl;
        }
        assert_close(base.service_level(0.0), 1.0 - base.p_wait(), 1e-14, "SL(0)");
    }

    #[test]
    fn erlang_a_large_center_is_stable_numerically() {
        // 1000 agents at exactly 1000 Erlangs (only abandonment keeps it stable).
        let m = ErlangA {
            servers: 1000,
            arrival_rate: 1000.0 / 300.0,
            mean_service_s: 300.0,
            mean_patience_s: 180.0,
        };
        let metrics = [
            m.p_wait(),
            m.p_abandon(),
            m.service_level(20.0),
            m.asa_s(),
            m.mean_wait_all_s(),
            m.occupancy(),
        ];
        for v in metrics {
            assert!(v.is_finite() && v > 0.0, "{metrics:?}");
        }
        assert!(m.p_wait() < 1.0 && m.p_abandon() < 0.1 && m.occupancy() < 1.0);
        // Abandonment two ways: Little's law vs the tagged-customer chain.
        let model = Abandonment::solve(1000, m.arrival_rate, 300.0, 1.0 / 180.0);
        let eventually =
            answered_from_queue_within(&model.queue, model.c_mu, model.theta, f64::INFINITY);
        assert_close(model.p_wait - eventually, m.p_abandon(), 1e-10, "abandon");
        // Finite t approaches the limit.
        assert_close(
            m.p_answered_within(1e5),
            1.0 - m.p_abandon(),
            1e-10,
            "answered within 1e5 s",
        );
    }

    #[test]
    fn erlang_a_heavily_overloaded_does_not_overflow() {
        // 5000 Erlangs offered to 10 agents: the queue weights would overflow
        // without rescaling.
        let m = ErlangA {
            servers: 10,
            arrival_rate: 5000.0 / 180.0,
            mean_service_s: 180.0,
            mean_patience_s: 60.0,
        };
        assert_close(m.p_wait(), 1.0, 1e-12, "p_wait");
        assert_close(m.occupancy(), 1.0, 1e-9, "occupancy");
        // Throughput is c mu, so P(abandon) = 1 - c / a.
        assert_close(m.p_abandon(), 1.0 - 10.0 / 5000.0, 1e-9, "p_abandon");
        let sl = m.service_level(20.0);
        assert!(sl.is_finite() && (0.0..0.002).contains(&sl), "{sl}");
        assert!(m.asa_s().is_finite() && m.asa_s() > 0.0);
    }

    #[test]
    fn erlang_a_degenerate_cases() {
        let loss = ErlangA {
            servers: 10,
            arrival_rate: 5.0 / 180.0,
            mean_service_s: 180.0,
            mean_patience_s: 0.0,
        };
        let b = erlang_b(10, 5.0);
        assert_close(loss.p_wait(), b, 1e-14, "loss p_wait");
        assert_close(loss.p_abandon(), b, 1e-14, "loss p_abandon");
        assert_close(loss.service_level(20.0), 1.0 - b, 1e-14, "loss SL");
        assert_eq!(loss.asa_s(), 0.0);
        let idle = ErlangA {
            arrival_rate: 0.0,
            ..loss
        };
        assert_eq!(idle.p_wait(), 0.0);
        assert_eq!(idle.service_level(20.0), 1.0);
        let unstaffed = ErlangA {
            servers: 0,
            mean_patience_s: 60.0,
            ..loss
        };
        assert_eq!(unstaffed.p_abandon(), 1.0);
        assert_eq!(unstaffed.service_level(20.0), 0.0);
        assert_eq!(unstaffed.mean_wait_all_s(), 60.0);
    }

    #[test]
    fn closed_form_matches_uniformization() {
        // (c, traffic, mean service, mean patience): critical, overloaded
        // (rescaled weights), underloaded, very patient, very impatient.
        let cases = [
            (1000u32, 1000.0, 300.0, 180.0),
            (10, 5000.0, 180.0, 60.0),
            (50, 40.0, 240.0, 600.0),
            (200, 200.0, 180.0, 1e5),
            (20, 25.0, 300.0, 2.0),
        ];
        for &(c, traffic, service, patience) in &cases {
            let model = Abandonment::solve(c, traffic / service, service, 1.0 / patience);
            for t in [0.5, 5.0, 20.0, 60.0, 300.0] {
                let exact = answered_from_queue_within(&model.queue, model.c_mu, model.theta, t);
                let reference =
                    uniformized_answered_within(&model.queue, model.c_mu, model.theta, t);
                assert!(
                    (exact - reference).abs() <= 1e-12,
                    "c={c} a={traffic} patience={patience} t={t}: {exact} vs {reference}"
                );
            }
        }
    }

    #[test]
    fn erlang_a_very_patient_large_center_is_fast_and_close_to_erlang_c() {
        let lambda = 5000.0 / 180.0;
        let m = ErlangA {
            servers: 5050,
            arrival_rate: lambda,
            mean_service_s: 180.0,
            mean_patience_s: 1e6,
        };
        let c_model = ErlangC {
            servers: 5050,
            arrival_rate: lambda,
            mean_service_s: 180.0,
        };
        for t in [20.0, 3600.0] {
            assert!((m.service_level(t) - c_model.service_level(t)).abs() < 1e-4);
        }
        assert_close(
            m.asa_s(),
            c_model.asa_s() / (1.0 - m.p_abandon()),
            1e-3,
            "ASA",
        );
    }

    #[test]
    fn poisson_mixture_of_constant_is_constant() {
        for mean in [1e-3, 0.7, 15.0, 480.5, 1e5] {
            let values = vec![0.25; poisson_upper(mean) + 1];
            assert_close(poisson_mixture(mean, &values), 0.25, 1e-14, "constant");
            // Identity sequence gives the mean.
            let ids: Vec<f64> = (0..=poisson_upper(mean)).map(|n| n as f64).collect();
            assert_close(poisson_mixture(mean, &ids), mean, 1e-12, "mean");
        }
    }

    #[test]
    fn cobham_single_class_is_erlang_c() {
        let lambda = 100.0 / 1800.0;
        let waits = priority_mean_waits_s(14, &[lambda], 180.0);
        let fifo = ErlangC {
            servers: 14,
            arrival_rate: lambda,
            mean_service_s: 180.0,
        };
        assert_eq!(waits.len(), 1);
        assert_close(waits[0], fifo.asa_s(), 1e-12, "one class");
        assert!(priority_mean_waits_s(14, &[], 180.0).is_empty());
    }

    #[test]
    fn cobham_conserves_work() {
        let rates = [3.0 / 180.0, 7.0 / 180.0];
        let waits = priority_mean_waits_s(14, &rates, 180.0);
        let fifo = ErlangC {
            servers: 14,
            arrival_rate: rates.iter().sum(),
            mean_service_s: 180.0,
        };
        let weighted = (rates[0] * waits[0] + rates[1] * waits[1]) / fifo.arrival_rate;
        assert_close(weighted, fifo.asa_s(), 1e-12, "work conservation");
        assert!(waits[0] < fifo.asa_s() && fifo.asa_s() < waits[1]);

        // Three classes too.
        let rates = [1.0 / 180.0, 4.0 / 180.0, 6.5 / 180.0];
        let waits = priority_mean_waits_s(12, &rates, 180.0);
        let total: f64 = rates.iter().sum();
        let weighted: f64 = rates.iter().zip(&waits).map(|(r, w)| r * w).sum::<f64>() / total;
        let fifo = ErlangC {
            servers: 12,
            arrival_rate: total,
            mean_service_s: 180.0,
        };
        assert_close(weighted, fifo.asa_s(), 1e-12, "three classes");
    }

    #[test]
    fn cobham_single_server_textbook_formula() {
        // M/M/1 non-preemptive priority: W_k = (rho / mu) / ((1 - s_{k-1})(1 - s_k)).
        let mean_service = 2.0;
        let rates = [0.1, 0.15, 0.05];
        let rho: f64 = rates.iter().sum::<f64>() * mean_service;
        let waits = priority_mean_waits_s(1, &rates, mean_service);
        let mut s_prev = 0.0;
        let mut s = 0.0;
        for (k, rate) in rates.iter().enumerate() {
            s += rate * mean_service;
            let expected = rho * mean_service / ((1.0 - s_prev) * (1.0 - s));
            assert_close(waits[k], expected, 1e-12, "M/M/1 priority");
            s_prev = s;
        }
    }

    #[test]
    fn cobham_overloaded_low_priority_is_infinite() {
        // Class 0 alone uses 50 % of capacity; with class 1 the total is 120 %.
        let waits = priority_mean_waits_s(10, &[5.0 / 100.0, 7.0 / 100.0], 100.0);
        let c_mu = 10.0 / 100.0;
        assert_close(waits[0], 1.0 / (c_mu * 0.5), 1e-12, "class 0 with C = 1");
        assert_eq!(waits[1], f64::INFINITY);
    }

    fn sl_target(share: f64, t: f64) -> StaffingTarget {
        StaffingTarget {
            service_level: Some((share, t)),
            max_asa_s: None,
            max_occupancy: None,
        }
    }

    #[test]
    fn required_servers_honours_each_constraint() {
        let lambda = 100.0 / 1800.0;
        let none = StaffingTarget {
            service_level: None,
            max_asa_s: None,
            max_occupancy: None,
        };
        assert_eq!(required_servers(lambda, 180.0, f64::INFINITY, none), 11);
        assert_eq!(required_servers(lambda, 180.0, 60.0, none), 1);
        let occ = StaffingTarget {
            max_occupancy: Some(0.7),
            ..none
        };
        assert_eq!(required_servers(lambda, 180.0, f64::INFINITY, occ), 15);
        let asa = StaffingTarget {
            max_asa_s: Some(5.0),
            ..none
        };
        let n = required_servers(lambda, 180.0, f64::INFINITY, asa);
        let q = |servers| ErlangC {
            servers,
            arrival_rate: lambda,
            mean_service_s: 180.0,
        };
        assert!(q(n).asa_s() <= 5.0 && q(n - 1).asa_s() > 5.0, "n = {n}");
        let impossible = StaffingTarget {
            max_occupancy: Some(0.0),
            ..none
        };
        assert_eq!(
            required_servers(lambda, 180.0, f64::INFINITY, impossible),
            u32::MAX
        );
    }

    #[test]
    fn required_servers_erlang_a_is_minimal() {
        let lambda = 100.0 / 1800.0;
        for &(share, t, patience) in &[(0.8, 20.0, 120.0), (0.5, 60.0, 30.0), (0.95, 10.0, 600.0)] {
            let n = required_servers(lambda, 180.0, patience, sl_target(share, t));
            let a = |servers| ErlangA {
                servers,
                arrival_rate: lambda,
                mean_service_s: 180.0,
                mean_patience_s: patience,
            };
            assert!(a(n).service_level(t) >= share);
            assert!(n == 1 || a(n - 1).service_level(t) < share, "n = {n}");
            let n_c = required_servers(lambda, 180.0, f64::INFINITY, sl_target(share, t));
            assert!(n <= n_c);
        }
    }

    #[test]
    fn required_servers_for_five_thousand_erlangs() {
        let lambda = 5000.0 / 180.0;
        let target = sl_target(0.8, 20.0);
        let n = required_servers(lambda, 180.0, f64::INFINITY, target);
        let q = |servers| ErlangC {
            servers,
            arrival_rate: lambda,
            mean_service_s: 180.0,
        };
        assert!(n > 5000 && n < 5200, "n = {n}");
        assert!(q(n).service_level(20.0) >= 0.8 && q(n - 1).service_level(20.0) < 0.8);

        let n_a = required_servers(lambda, 180.0, 120.0, target);
        let a = |servers| ErlangA {
            servers,
            arrival_rate: lambda,
            mean_service_s: 180.0,
            mean_patience_s: 120.0,
        };
        // Answered share is at most n / a, so n >= 0.8 a; heavy abandonment
        // lets Erlang A staff below the offered load.
        assert!(n_a <= n && n_a >= 4000, "n_a = {n_a}");
        assert!(a(n_a).service_level(20.0) >= 0.8 && a(n_a - 1).service_level(20.0) < 0.8);
    }

    #[test]
    fn required_servers_is_monotone_in_arrival_rate() {
        let target = StaffingTarget {
            service_level: Some((0.8, 20.0)),
            max_asa_s: Some(15.0),
            max_occupancy: Some(0.9),
        };
        for patience in [f64::INFINITY, 90.0] {
            let mut previous = 0;
            for i in 0..60 {
                let lambda = 0.001 + i as f64 * 0.02;
                let n = required_servers(lambda, 240.0, patience, target);
                assert!(n >= previous, "lambda {lambda}: {n} < {previous}");
                assert!(n >= 1);
                previous = n;
            }
        }
    }
}
