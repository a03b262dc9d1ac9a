//! A completion: the agent frees the contact's load units and either takes more work or, when
//! leaving, goes off duty once it holds nothing.

use crate::model::Model;

use super::{Duty, Engine};

impl Engine {
    /// (Inlined into the event loop; an outage dropping contacts has its own copy.)
    #[inline(always)]
    pub(super) fn complete(&mut self, model: &Model, a: usize, k: usize) {
        let now = self.now;
        let g = self.agents[a].group as usize;
        self.detach(a);
        let units = self.group_class[g * self.classes.len() + k].units;
        self.change_load(model, g, -(units as i32));
        let ag = &mut self.agents[a];
        ag.load -= units;
        ag.since = now;
        match ag.duty {
            Duty::On => {
                self.serve_queues(model, a);
                self.attach(model, a);
            }
            Duty::Leaving => {
                if ag.load == 0 {
                    ag.duty = Duty::Off;
                    self.change_on_duty(model, g, -1);
                    self.groups[g].off.push(a as u32);
                    if self.sh.shift_mode {
                        self.shift_agent_off(a);
                    }
                }
            }
            Duty::Off => unreachable!("an off-duty agent has no contact"),
        }
    }
}
