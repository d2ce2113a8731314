import { canMove } from './certificate';

describe('canMove', () => {
  it('activates pending certificates and re-activates retiring ones (rolling back a rotation by hand)', () => {
    expect(canMove('pending', 'active')).toBe(true);
    expect(canMove('retiring', 'active')).toBe(true);
  });

  it('never activates retired or failed certificates', () => {
    expect(canMove('retired', 'active')).toBe(false);
    expect(canMove('failed', 'active')).toBe(false);
  });

  it('fails only pending certificates and never moves back to pending', () => {
    expect(canMove('pending', 'failed')).toBe(true);
    expect(canMove('active', 'failed')).toBe(false);
    expect(canMove('active', 'pending')).toBe(false);
  });

  it('retires anything still in use, but not twice', () => {
    expect(canMove('active', 'retired')).toBe(true);
    expect(canMove('retiring', 'retired')).toBe(true);
    expect(canMove('retired', 'retired')).toBe(false);
  });
});
