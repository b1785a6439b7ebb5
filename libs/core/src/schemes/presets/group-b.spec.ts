import { PRESETS_B } from './group-b.js';

describe('PRESETS_B', () => {
  it('builds every option-free group B preset under its own name', () => {
    for (const [name, factory] of Object.entries(PRESETS_B)) expect(factory().name).toBe(name);
    expect(Object.keys(PRESETS_B).sort()).toEqual([
      'dropbox',
      'gitlab',
      'hubspot',
      'linear',
      'mailgun',
      'mux',
      'okta',
      'paddle',
      'pagerduty',
      'sendgrid',
      'square',
      'trello',
      'twilio',
      'woocommerce',
      'zendesk',
    ]);
    expect(PRESETS_B).not.toHaveProperty('asana');
    expect(PRESETS_B).not.toHaveProperty('recharge');
  });
});
