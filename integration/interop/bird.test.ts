// Interop with BIRD 2: see interop.ts for what is proven.
import { describeInterop } from './interop.js';
import { BirdRouter } from './routers/bird.js';
import { birdSkipReason } from '../support/bird.js';

describeInterop('BIRD', birdSkipReason, (lab, ns, neighbors) => new BirdRouter(lab, ns, neighbors));
