import { pagedList, parseFields, parseFilters, parsePage, pickFields } from '../../src/http/pagination.js';

describe('pagination, filters and fields', () => {
  it('parses startIndex and count with defaults and bounds', () => {
    expect(parsePage({})).toEqual({ startIndex: 0, count: 25 });
    expect(parsePage({ startIndex: '10', count: '5' })).toEqual({ startIndex: 10, count: 5 });
    const errors: never[] = [];
    parsePage({ startIndex: '-1', count: '101' }, errors);
    expect(errors.map((e: { path: string }) => e.path)).toEqual(['/query/startIndex', '/query/count']);
  });

  it('parses object(URI) filters, several values and repeated filters', () => {
    expect(parseFilters({ filter: 'object(https://a.example/places/1)' }, ['object'])).toEqual({ object: ['https://a.example/places/1'] });
    expect(parseFilters({ filter: ['object(https://a/1,https://a/2)', 'object(https://a/3)'] }, ['object'])).toEqual({
      object: ['https://a/1', 'https://a/2', 'https://a/3'],
    });
    const errors: { message: string }[] = [];
    parseFilters({ filter: ['owner(me)', 'object', 'object()'] }, ['object'], errors as never[]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/unknown filter 'owner'/),
      expect.stringMatching(/name\(value\)/),
      expect.stringMatching(/at least one value/),
    ]);
  });

  it('keeps a comma inside a URI: a value starts only where a new URI (scheme:) starts after a comma', () => {
    const matrix = 'https://a.example/places/1;m=2,3';
    expect(parseFilters({ filter: `object(${matrix})` }, ['object'])).toEqual({ object: [matrix] });
    expect(parseFilters({ filter: `object(${matrix},https://a.example/places/2, urn:x:a,b)` }, ['object'])).toEqual({
      object: [matrix, 'https://a.example/places/2', 'urn:x:a,b'],
    });
  });

  it('narrows items to the named fields plus id', () => {
    const fields = parseFields({ fields: 'object, enabled' }, ['id', 'object', 'enabled']);
    expect(pickFields({ id: '1', object: 'o', enabled: true, kind: 'content' }, fields)).toEqual({ id: '1', object: 'o', enabled: true });
    const errors: { message: string }[] = [];
    expect(parseFields({ fields: 'secret' }, ['id'], errors as never[])).toBeUndefined();
    expect(errors[0]!.message).toMatch(/unknown field\(s\) secret/);
  });

  it('builds links.next only when there is one more item, links.previous only after the first page, keeping other parameters', () => {
    const page = pagedList([1, 2, 3], { startIndex: 2, count: 2 }, 'https://gw.example/v1/webhooks', {
      filter: 'object(https://a/1)',
      startIndex: '2',
      count: '2',
    });
    expect(page.list).toEqual([1, 2]);
    expect(page.itemsPerPage).toBe(2);
    expect(new URL(page.links.next!).searchParams.get('startIndex')).toBe('4');
    expect(new URL(page.links.next!).searchParams.get('filter')).toBe('object(https://a/1)');
    expect(new URL(page.links.previous!).searchParams.get('startIndex')).toBe('0');
    expect(pagedList([1], { startIndex: 0, count: 2 }, 'https://gw.example/x', {}).links).toEqual({});
  });
});
