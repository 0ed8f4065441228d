// Interop with GoBGP: see interop.ts for what is proven.
import { describeInterop } from './interop.js';
import { GobgpRouter } from './routers/gobgp.js';
import { gobgpSkipReason } from '../support/gobgp.js';

describeInterop('GoBGP', gobgpSkipReason, (lab, ns, neighbors) => new GobgpRouter(lab, ns, neighbors));
