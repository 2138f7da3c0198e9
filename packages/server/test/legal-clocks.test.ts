import { describe, expect, it } from 'vitest';
import {
  computeDeadlines,
  defaultJurisdictions,
  formatDuration,
  parseJurisdictions,
} from '../src/incidents/legal-clocks.js';

const aware = '2026-11-25T00:00:00.000Z';

describe('legal clocks', () => {
  it.each([
    [false, ['2026-11-28T00:00:00.000Z', '2026-11-30T00:00:00.000Z', '2026-12-25T00:00:00.000Z']],
    [true, ['2026-11-28T00:00:00.000Z', '2026-11-30T00:00:00.000Z', '2027-01-24T00:00:00.000Z']],
  ])('counts GDPR and APPI deadlines from awareAt (malicious: %s)', (malicious, due) => {
    const deadlines = computeDeadlines(
      { awareAt: aware, jurisdictions: ['gdpr', 'appi'], malicious },
      defaultJurisdictions,
      new Date('2026-11-26T00:00:00.000Z'),
    );
    expect(deadlines.map((d) => d.dueAt)).toEqual(due);
    expect(deadlines[1]).toMatchObject({
      obligation: 'preliminary',
      targetAt: '2026-11-28T00:00:00.000Z',
    });
    expect(deadlines[0]).toMatchObject({
      msLeft: 2 * 86_400_000,
      overdue: false,
      timeLeft: '2d 0h left',
    });
  });

  it('reports overdue deadlines and nothing without awareAt or for unknown ids', () => {
    const late = computeDeadlines(
      { awareAt: aware, jurisdictions: ['gdpr'], malicious: false },
      defaultJurisdictions,
      new Date('2026-11-28T01:30:00.000Z'),
    );
    expect(late[0]).toMatchObject({ overdue: true, timeLeft: 'overdue by 1h 30m' });
    expect(
      computeDeadlines(
        { awareAt: null, jurisdictions: ['gdpr'], malicious: false },
        defaultJurisdictions,
        new Date(),
      ),
    ).toEqual([]);
    expect(
      computeDeadlines(
        { awareAt: aware, jurisdictions: ['nowhere'], malicious: false },
        defaultJurisdictions,
        new Date(),
      ),
    ).toEqual([]);
  });

  it.each([
    [90_061_000, '1d 1h left'],
    [3_599_999, '0h 59m left'],
    [-60_000, 'overdue by 0h 1m'],
  ])('formats %d ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('adds configured jurisdictions, replaces a default by id, and collects every error', () => {
    const { jurisdictions, errors } = parseJurisdictions([
      {
        id: 'ccpa',
        name: 'California',
        obligations: [{ id: 'ag', label: 'Notify the AG', hours: 24 * 15 }],
      },
      {
        id: 'gdpr',
        name: 'GDPR (stricter policy)',
        obligations: [{ id: 'authority', label: 'DPA', hours: 48 }],
      },
    ]);
    expect(errors).toEqual([]);
    expect(jurisdictions.map((j) => j.id)).toEqual(['appi', 'ccpa', 'gdpr']);
    const bad = parseJurisdictions([
      { id: 'X', obligations: [{ id: 'a', label: 'b', hours: -1, targetHours: 'soon' }] },
    ]);
    expect(bad.errors).toEqual([
      '[0].id: lowercase letters, digits, -',
      '[0].name: expected a string',
      '[0].obligations[0].hours: expected a positive number of hours',
      '[0].obligations[0].targetHours: expected a positive number of hours',
    ]);
  });
});
