import type { Brief, Source, WriteTask } from '@pressroom/contracts';

export function aBrief(overrides: Partial<Brief> = {}): Brief {
  return { topic: 'how solar panels work', tone: 'neutral', length: 'medium', ...overrides };
}

export function aSource(overrides: Partial<Source> = {}): Source {
  return {
    title: 'How Solar Panels Turn Light into Electricity',
    url: 'https://example.org/solar',
    snippet: 'Solar panels convert sunlight into electricity.',
    text: [
      'A solar panel is an array of photovoltaic cells that convert sunlight directly into electricity.',
      'Most panels sold today use crystalline silicon cells that are treated to form a junction.',
      'Inverters turn the direct current from the panels into alternating current for the home.',
      'Rainfall in the region varies a great deal from one season to the next year.',
      'Panel efficiency drops slightly as the temperature of the solar cells rises in summer.',
    ].join(' '),
    ...overrides,
  };
}

export function someSources(): Source[] {
  return [
    aSource(),
    aSource({
      title: 'Solar Power at Home',
      url: 'https://example.net/home-solar',
      text: 'Home solar systems often pair rooftop panels with a battery for the evening. Net metering lets households sell surplus solar electricity back to the grid. Installers size a system from a year of electricity bills and the roof orientation.',
    }),
  ];
}

export function aWriteTask(overrides: Partial<WriteTask> = {}): WriteTask {
  return { brief: aBrief(), channel: { type: 'file' }, sources: someSources(), ...overrides };
}
