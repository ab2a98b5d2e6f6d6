//! The engine behind [`super::suppress`]: the sensitive set, the components,
//! and the pass of each component to its fixpoint (module doc of
//! `suppression`, steps 1 to 5).

use super::basis::{Basis, Residuals, Scratch};
use super::prepare::{Components, Vars};
use super::row::{normalise, sub, Overflow, Row};
use super::{Outcome, Problem, Solution, K};
use std::collections::{BTreeMap, HashSet};

/// A count that must not be derivable: 1 to K-1, or unknown (conservative).
fn sensitive(value: Option<i128>) -> bool {
    value.is_none_or(|v| v >= 1 && v < i128::from(K))
}

/// A sensitive vector spread over several components, by its projections
/// (step 4 of the module doc, "Components").
struct Cross {
    /// (component, projection in global variables), by component.
    parts: Vec<(u32, Row)>,
    /// Whether each projection is in its component's ledger span.
    ledger_in: Vec<bool>,
    /// Whether each projection is in its component's final span (set when
    /// the component is done).
    final_in: Vec<bool>,
    /// Already in the ledger's span (counted), or the rule no longer applies.
    done: bool,
}

#[derive(Default)]
struct Comp {
    /// Candidates, in priority order.
    candidates: Vec<u32>,
    ledger: Vec<u32>,
    /// Sensitive vectors wholly inside.
    sensitive: Vec<u32>,
    /// (cross vector, index of its projection here).
    cross: Vec<(u32, u32)>,
}

/// A component opened for work: its variables in pivot order, the basis of
/// its ledger rows.
struct Local {
    /// Local variable → global.
    vars: Vec<u32>,
    ledger: Basis,
    /// The ledger's basis could not be computed exactly (overflow).
    poisoned: bool,
    scratch: Scratch,
}

struct Engine<'a> {
    problem: &'a Problem,
    vars: Vars<'a>,
    rows: Vec<Row>,
    values: Vec<Option<i128>>,
    outcomes: Vec<Outcome>,
    pending: Vec<bool>,
    /// Sensitive vectors (normalised, global variables) and the set of them.
    sensitive: Vec<Row>,
    seen: HashSet<Row>,
    cross: Vec<Cross>,
    comps: Vec<Comp>,
    /// First variable of each ledger row (u32::MAX: empty or unusable).
    ledger_first: Vec<u32>,
    /// Global → local variable of the open component (u32::MAX: none).
    local_of: Vec<u32>,
    ledger_discloses: usize,
}

pub(crate) fn run(problem: &Problem) -> Solution {
    let mut engine = Engine::new(problem);
    engine.components();
    engine.ledger_spans_of_cross();
    for c in 0..engine.comps.len() {
        engine.process(c);
    }
    Solution {
        outcomes: engine.outcomes,
        ledger_discloses: engine.ledger_discloses,
    }
}

impl<'a> Engine<'a> {
    /// Steps 1 to 3: known zeros out, the sensitive set, the primaries.
    fn new(problem: &'a Problem) -> Self {
        let vars = Vars::new(problem);
        let count = vars.count;
        let n = problem.candidates.len();
        let mut engine = Engine {
            problem,
            vars,
            rows: Vec::with_capacity(n),
            values: Vec::with_capacity(n),
            outcomes: vec![Outcome::Published; n],
            pending: vec![false; n],
            sensitive: Vec::new(),
            seen: HashSet::new(),
            cross: Vec::new(),
            comps: Vec::new(),
            ledger_first: Vec::new(),
            local_of: vec![u32::MAX; count],
            ledger_discloses: 0,
        };
        for (k, candidate) in problem.candidates.iter().enumerate() {
            let cleaned = engine.vars.clean(&candidate.row);
            if !cleaned.valid || cleaned.value.is_none() {
                // Cannot be valued: never shown, and protected.
                engine.outcomes[k] = Outcome::Secondary;
                engine.add_sensitive(cleaned.row.clone());
            } else if cleaned.row.is_empty() {
                // Only known zeros: 0, published, says nothing new.
            } else if sensitive(cleaned.value) {
                engine.outcomes[k] = Outcome::Primary;
                engine.add_sensitive(cleaned.row.clone());
            } else {
                engine.pending[k] = true;
            }
            engine.rows.push(cleaned.row);
            engine.values.push(cleaned.value);
        }
        for (i, &v) in problem.values.iter().enumerate() {
            if sensitive(Some(i128::from(v))) && i < u32::MAX as usize {
                engine.add_sensitive(vec![(i as u32, 1)]);
            }
        }
        for group in &problem.groups {
            let cleaned = engine.vars.clean(group);
            if cleaned.valid && sensitive(cleaned.value) {
                engine.add_sensitive(cleaned.row);
            }
        }
        engine
    }

    /// Adds a sensitive vector if new; whether it was.
    fn add_sensitive(&mut self, mut row: Row) -> bool {
        normalise(&mut row);
        if row.is_empty() || self.seen.contains(&row) {
            return false;
        }
        self.seen.insert(row.clone());
        self.sensitive.push(row);
        true
    }

    /// Step 4, "Components": variables linked by a ledger row, a candidate
    /// row or a total and its parts; the components numbered by their first
    /// candidate; each sensitive vector local to one or split into
    /// projections.
    fn components(&mut self) {
        let mut dsu = Components::new(self.vars.count);
        let mut in_row = vec![false; self.vars.count];
        let mut mark = |row: &Row, dsu: &mut Components| {
            dsu.link(row);
            for &(v, _) in row {
                in_row[v as usize] = true;
            }
        };
        self.ledger_first = Vec::with_capacity(self.problem.ledger.len());
        for combination in &self.problem.ledger {
            let cleaned = self.vars.clean(combination);
            let first = match cleaned.row.first() {
                Some(&(v, _)) if cleaned.valid => v,
                _ => u32::MAX,
            };
            if first != u32::MAX {
                mark(&cleaned.row, &mut dsu);
            }
            self.ledger_first.push(first);
        }
        for row in &self.rows {
            mark(row, &mut dsu);
        }
        for (k, candidate) in self.problem.candidates.iter().enumerate() {
            let Some(&(first, _)) = self.rows[k].first() else {
                continue;
            };
            for &j in &candidate.parts {
                if let Some(&(other, _)) = self.rows.get(j).and_then(|r| r.first()) {
                    dsu.union(first, other);
                }
            }
        }
        let mut comp_of_root = vec![u32::MAX; self.vars.count];
        let mut comp_of = |v: u32, dsu: &mut Components, comps: &mut Vec<Comp>| {
            let root = dsu.find(v) as usize;
            if comp_of_root[root] == u32::MAX {
                comp_of_root[root] = comps.len() as u32;
                comps.push(Comp::default());
            }
            comp_of_root[root]
        };
        let mut comps = Vec::new();
        for (k, row) in self.rows.iter().enumerate() {
            if let Some(&(first, _)) = row.first() {
                let c = comp_of(first, &mut dsu, &mut comps);
                comps[c as usize].candidates.push(k as u32);
            }
        }
        for (i, &first) in self.ledger_first.iter().enumerate() {
            if first != u32::MAX {
                let c = comp_of(first, &mut dsu, &mut comps);
                comps[c as usize].ledger.push(i as u32);
            }
        }
        for (sid, row) in self.sensitive.iter().enumerate() {
            // A variable in no row is in no span: the vector is safe.
            if row.iter().any(|&(v, _)| !in_row[v as usize]) {
                continue;
            }
            let mut parts: BTreeMap<u32, Row> = BTreeMap::new();
            for &(v, c) in row {
                let comp = comp_of(v, &mut dsu, &mut comps);
                parts.entry(comp).or_default().push((v, c));
            }
            if parts.len() == 1 {
                if let Some((&c, _)) = parts.iter().next() {
                    comps[c as usize].sensitive.push(sid as u32);
                }
                continue;
            }
            let x = self.cross.len() as u32;
            for (i, &c) in parts.keys().enumerate() {
                comps[c as usize].cross.push((x, i as u32));
            }
            let n = parts.len();
            self.cross.push(Cross {
                parts: parts.into_iter().collect(),
                ledger_in: vec![false; n],
                final_in: vec![false; n],
                done: false,
            });
        }
        self.comps = comps;
    }

    /// Opens component `c`: its variables numbered by pivot priority (fewest
    /// ledger rows last, then latest candidate last: the variable a
    /// cumulative row adds this month becomes its pivot, which keeps the
    /// prefix sums of the funnel free of fill-in), and its ledger's basis.
    fn open(&mut self, c: usize) -> Local {
        let comp = &self.comps[c];
        let ledger_rows: Vec<Row> = comp
            .ledger
            .iter()
            .map(|&i| self.vars.clean(&self.problem.ledger[i as usize]).row)
            .collect();
        // Variables, with (ledger occurrences, last candidate position).
        let mut vars: Vec<u32> = Vec::new();
        let mut keys: Vec<(u32, u32)> = Vec::new();
        let local_of = &mut self.local_of;
        let mut touch = |v: u32, vars: &mut Vec<u32>, keys: &mut Vec<(u32, u32)>| -> usize {
            if local_of[v as usize] == u32::MAX {
                local_of[v as usize] = vars.len() as u32;
                vars.push(v);
                keys.push((0, 0));
            }
            local_of[v as usize] as usize
        };
        for row in &ledger_rows {
            for &(v, _) in row {
                let t = touch(v, &mut vars, &mut keys);
                keys[t].0 = keys[t].0.saturating_add(1);
            }
        }
        for (position, &k) in comp.candidates.iter().enumerate() {
            for &(v, _) in &self.rows[k as usize] {
                let t = touch(v, &mut vars, &mut keys);
                keys[t].1 = position as u32 + 1;
            }
        }
        for &sid in &comp.sensitive {
            for &(v, _) in &self.sensitive[sid as usize] {
                touch(v, &mut vars, &mut keys);
            }
        }
        for &(x, i) in &comp.cross {
            for &(v, _) in &self.cross[x as usize].parts[i as usize].1 {
                touch(v, &mut vars, &mut keys);
            }
        }
        let mut order: Vec<u32> = (0..vars.len() as u32).collect();
        order.sort_unstable_by_key(|&t| {
            let (occurrences, last) = keys[t as usize];
            (std::cmp::Reverse(occurrences), last, vars[t as usize])
        });
        let vars: Vec<u32> = order.iter().map(|&t| vars[t as usize]).collect();
        for (l, &v) in vars.iter().enumerate() {
            self.local_of[v as usize] = l as u32;
        }
        let mut local = Local {
            ledger: Basis::new(vars.len()),
            scratch: Scratch::new(vars.len()),
            vars,
            poisoned: false,
        };
        let mut rows: Vec<Row> = ledger_rows.iter().map(|r| self.to_local(r)).collect();
        // Short rows first (a group's cells before the programme's sums).
        rows.sort_by_key(|r| r.len());
        for row in rows {
            match local.ledger.reduce(&row, &mut local.scratch) {
                Ok(r) if r.is_empty() => {}
                Ok(r) => local.ledger.insert(r),
                Err(Overflow) => local.poisoned = true,
            }
        }
        local
    }

    fn close(&mut self, local: &Local) {
        for &v in &local.vars {
            self.local_of[v as usize] = u32::MAX;
        }
    }

    fn to_local(&self, row: &[(u32, i128)]) -> Row {
        let mut out: Row = row
            .iter()
            .map(|&(v, c)| (self.local_of[v as usize], c))
            .collect();
        out.sort_unstable_by_key(|&(v, _)| v);
        out
    }

    /// Whether each cross vector's projections are in their components'
    /// ledger spans; a vector wholly in the ledger's span is counted.
    fn ledger_spans_of_cross(&mut self) {
        for c in 0..self.comps.len() {
            if self.comps[c].cross.is_empty() {
                continue;
            }
            let mut local = self.open(c);
            for (x, i) in self.comps[c].cross.clone() {
                let part = self.to_local(&self.cross[x as usize].parts[i as usize].1);
                let inside = local.poisoned
                    || local
                        .ledger
                        .reduce(&part, &mut local.scratch)
                        .map_or(true, |r| r.is_empty());
                self.cross[x as usize].ledger_in[i as usize] = inside;
            }
            self.close(&local);
        }
        for cross in &mut self.cross {
            if cross.ledger_in.iter().all(|&inside| inside) {
                cross.done = true;
                self.ledger_discloses += 1;
            }
        }
    }

    /// Steps 4 and 5 on component `c`.
    fn process(&mut self, c: usize) {
        let comp = &self.comps[c];
        if comp.candidates.is_empty() && comp.sensitive.is_empty() {
            for (x, i) in comp.cross.clone() {
                let cross = &mut self.cross[x as usize];
                cross.final_in[i as usize] = cross.ledger_in[i as usize];
            }
            return;
        }
        let mut local = self.open(c);
        let comp = &self.comps[c];
        let candidates: Vec<(u32, Row)> = comp
            .candidates
            .iter()
            .map(|&k| (k, self.to_local(&self.rows[k as usize])))
            .collect();
        // The sensitive vectors of this component, as residuals against
        // the ledger: local ones, and cross projections the rule selects.
        let mut residuals: Vec<Option<Row>> = Vec::new();
        for &sid in &comp.sensitive.clone() {
            let row = self.to_local(&self.sensitive[sid as usize]);
            residuals.push(self.ledger_residual(&mut local, &row, true));
        }
        for (x, i) in self.comps[c].cross.clone() {
            let cross = &self.cross[x as usize];
            let active = !cross.done
                && cross.parts.iter().enumerate().all(|(j, &(other, _))| {
                    j == i as usize
                        || if other < c as u32 {
                            cross.final_in[j]
                        } else {
                            cross.ledger_in[j]
                        }
                });
            if active {
                let row = self.to_local(&cross.parts[i as usize].1);
                residuals.push(self.ledger_residual(&mut local, &row, false));
            }
        }
        let basis = loop {
            if local.poisoned {
                for &(k, _) in &candidates {
                    if self.pending[k as usize] {
                        self.outcomes[k as usize] = Outcome::Secondary;
                    }
                }
                break local.ledger.clone();
            }
            let basis = self.pass(&mut local, &candidates, &residuals);
            match self.hidden_parts(&mut local, &basis, &candidates) {
                Ok(new) if new.is_empty() => break basis,
                Ok(new) => {
                    for row in new {
                        let row = self.to_local(&row);
                        residuals.push(self.ledger_residual(&mut local, &row, true));
                    }
                }
                Err(Overflow) => local.poisoned = true,
            }
        };
        for (x, i) in self.comps[c].cross.clone() {
            let row = self.to_local(&self.cross[x as usize].parts[i as usize].1);
            let inside = local.poisoned
                || basis
                    .reduce(&row, &mut local.scratch)
                    .map_or(true, |r| r.is_empty());
            self.cross[x as usize].final_in[i as usize] = inside;
        }
        self.close(&local);
    }

    /// The residual of a sensitive vector against the ledger; `None` when
    /// the ledger's span already holds it (counted when `count`: a local
    /// vector, or a hidden-parts sum; a cross projection is counted once,
    /// by [`Engine::ledger_spans_of_cross`]).
    fn ledger_residual(&mut self, local: &mut Local, row: &Row, count: bool) -> Option<Row> {
        match local.ledger.reduce(row, &mut local.scratch) {
            Ok(r) if r.is_empty() => {
                if count {
                    self.ledger_discloses += 1;
                }
                None
            }
            Ok(r) => Some(r),
            Err(Overflow) => {
                local.poisoned = true;
                None
            }
        }
    }

    /// Step 4, "The pass": the candidates in order, from the ledger's
    /// basis; returns the final basis.
    fn pass(
        &mut self,
        local: &mut Local,
        candidates: &[(u32, Row)],
        residuals: &[Option<Row>],
    ) -> Basis {
        let mut basis = local.ledger.clone();
        let mut res = Residuals::new(local.vars.len(), residuals.to_vec());
        for (k, row) in candidates {
            let k = *k as usize;
            if !self.pending[k] {
                continue;
            }
            self.outcomes[k] = match basis.reduce(row, &mut local.scratch) {
                Err(Overflow) => Outcome::Secondary,
                Ok(r) if r.is_empty() => Outcome::Published,
                Ok(r) => match res.try_add(&r) {
                    Ok(updates) => {
                        let pivot = r.last().map_or(0, |&(p, _)| p);
                        res.commit(pivot, updates);
                        basis.insert(r);
                        Outcome::Published
                    }
                    Err(_) => Outcome::Secondary,
                },
            };
        }
        basis
    }

    /// Step 5: for every total in the span, the parts outside it must
    /// describe 0 or at least K people; the new sensitive sums (global).
    fn hidden_parts(
        &mut self,
        local: &mut Local,
        basis: &Basis,
        candidates: &[(u32, Row)],
    ) -> Result<Vec<Row>, Overflow> {
        let mut derivable: BTreeMap<u32, bool> = BTreeMap::new();
        let mut is_derivable = |k: u32, row: &Row, outcome: Outcome, scratch: &mut Scratch| {
            if let Some(&known) = derivable.get(&k) {
                return Ok(known);
            }
            let known = match outcome {
                Outcome::Published => true,
                Outcome::Primary => false,
                Outcome::Secondary => basis.reduce(row, scratch)?.is_empty(),
            };
            derivable.insert(k, known);
            Ok::<bool, Overflow>(known)
        };
        let local_rows: BTreeMap<u32, &Row> = candidates.iter().map(|(k, r)| (*k, r)).collect();
        let mut new = Vec::new();
        for (k, row) in candidates {
            let parts = &self.problem.candidates[*k as usize].parts;
            if parts.is_empty()
                || !is_derivable(*k, row, self.outcomes[*k as usize], &mut local.scratch)?
            {
                continue;
            }
            let mut sum: BTreeMap<u32, i128> = self.rows[*k as usize].iter().copied().collect();
            let mut value = self.values[*k as usize];
            for &j in parts {
                if j == *k as usize || j >= self.rows.len() || self.rows[j].is_empty() {
                    continue;
                }
                let Some(part) = local_rows.get(&(j as u32)) else {
                    continue;
                };
                if !is_derivable(j as u32, part, self.outcomes[j], &mut local.scratch)? {
                    continue;
                }
                for &(v, c) in &self.rows[j] {
                    let entry = sum.entry(v).or_insert(0);
                    *entry = sub(*entry, c)?;
                }
                value = match (value, self.values[j]) {
                    (Some(a), Some(b)) => Some(sub(a, b)?),
                    _ => None,
                };
            }
            let hidden: Row = sum.into_iter().filter(|&(_, c)| c != 0).collect();
            if !hidden.is_empty() && sensitive(value) && self.add_sensitive(hidden) {
                new.push(self.sensitive.last().cloned().unwrap_or_default());
            }
        }
        Ok(new)
    }
}
