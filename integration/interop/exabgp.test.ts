// Interop with ExaBGP: see interop.ts for what is proven. ExaBGP keeps no RIB; the router's
// view is rebuilt from the events its API reports (support/exabgp.ts).
import { describeInterop } from './interop.js';
import { ExabgpRouter } from './routers/exabgp.js';
import { exabgpSkipReason } from '../support/exabgp.js';

describeInterop('ExaBGP', exabgpSkipReason, (lab, ns, neighbors) => new ExabgpRouter(lab, ns, neighbors));
