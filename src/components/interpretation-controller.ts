import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Interpretation } from '../core/interpretation.js';
import { interpretationContext } from './context.js';

/**
 * Gives an element the enclosing meeting's interpretation channels (through @lit/context) and
 * re-renders it whenever they change.
 */
export class InterpretationController implements ReactiveController {
  private current: Interpretation | undefined;
  private readonly onChange = () => this.host.requestUpdate();

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
    new ContextConsumer(host, {
      context: interpretationContext,
      subscribe: true,
      callback: (interpretation) => {
        this.watch(interpretation);
        host.requestUpdate();
      },
    });
  }

  get interpretation(): Interpretation | undefined {
    return this.current;
  }

  private watch(next: Interpretation | undefined) {
    if (next === this.current) return;
    this.current?.removeEventListener('change', this.onChange);
    this.current = next;
    this.current?.addEventListener('change', this.onChange);
  }

  hostConnected(): void {
    this.current?.addEventListener('change', this.onChange);
  }

  hostDisconnected(): void {
    this.current?.removeEventListener('change', this.onChange);
  }
}
