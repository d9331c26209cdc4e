import { ProductChanges, type ProductChange } from './product-changes';

describe('ProductChanges', () => {
  const change = (id: number): ProductChange => ({ id, version: 1, kind: 'created' });

  it('hands every change to every listener and resolves once they are done', async () => {
    const changes = new ProductChanges();
    const heard: string[] = [];
    changes.subscribe(async (c) => void heard.push(`a${c.id}`));
    changes.subscribe(async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      heard.push(`b${c.id}`);
    });
    await changes.emit([change(1), change(2)]);
    expect(heard.sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
  });

  it('a listener that fails does not fail the write nor stop the others', async () => {
    const changes = new ProductChanges();
    const heard: number[] = [];
    changes.subscribe(() => Promise.reject(new Error('down')));
    changes.subscribe(async (c) => void heard.push(c.id));
    await expect(changes.emit([change(3)])).resolves.toBeUndefined();
    expect(heard).toEqual([3]);
  });
});
