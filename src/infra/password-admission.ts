/**
 * docs/api.md, Brute-force protection: a process admits at most LOGIN_QUEUE_MAX password checks
 * at once, those in progress included. Past it a login is refused at once (503 overloaded), so
 * that a flood queues no unbounded work and the admitted logins keep their latency.
 */
export interface PasswordAdmission {
  /** Takes a place if one is free; false when LOGIN_QUEUE_MAX checks are already admitted. */
  enter(): boolean;
  /** Gives back a place taken by `enter`. */
  leave(): void;
  /** The checks admitted now. */
  readonly admitted: number;
}

export function createPasswordAdmission(max: number): PasswordAdmission {
  let admitted = 0;
  return {
    enter() {
      if (admitted >= max) return false;
      admitted += 1;
      return true;
    },
    leave() {
      admitted = Math.max(0, admitted - 1);
    },
    get admitted() {
      return admitted;
    },
  };
}
