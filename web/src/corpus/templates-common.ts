// templates-common.ts: the sentence templates every story shares (openings, the hero's likes,
// going to the place, the closing line) and the PlotDef type that the plot files fill in.
// Template syntax is described in render.ts. The hero {H} may be one character (he/she) or a
// pair (they): write {H.was}, {H.he}, {H.his}, {H.We}, {H.our}... never a bare "was" after {H}.

/** A beat is one sentence chosen from alternatives; `p` makes it optional. */
export type Beat = readonly string[] | { readonly p: number; readonly t: readonly string[] };

export interface PlotDef {
  id: string;
  /** Places the story can happen in (PlaceDef ids); empty = any. */
  places: readonly string[];
  /** Tag the hero's thing {O} must have, when the plot is about it. */
  thing?: 'fly' | 'toy' | 'break';
  /** The plot only works for a single hero, not a pair. */
  single?: boolean;
  /** The grown-up {G} must be family (someone the hero calls for at home). */
  family?: boolean;
  /** Story-wide choices the plot makes, e.g. the skill {K}; may restrict places. */
  extra?: 'skill';
  title: readonly string[];
  problem: readonly Beat[];
  talk: readonly Beat[];
  fix: readonly Beat[];
  end: readonly Beat[];
}

/** First sentence: introduces the hero with {H.first}. */
export const OPENINGS = [
  'Once upon a time, there {H.was} {H.first}.',
  'Once upon a time, there lived {H.first}.',
  'One {day} morning, {H.first} woke up [early|with a big smile|and jumped out of bed].',
  'Once upon a time, in a [small|quiet|happy|little] [town|village], there lived {H.first}.',
  'There once {H.was} {H.first} who loved to [play|laugh|sing|run and jump|explore].',
  'One day, {H.first} [{H.was} very bored|wanted to do something fun|had a big plan].',
  'Long ago, in a [green|sunny|cozy] [valley|village|land], there {H.was} {H.first}.',
  'Once upon a time, {H.first} lived in a [little|cozy|small] house near {P}.',
  'Once there {H.was} {H.first}. {H.He} {H.was} [four|five|six] years old.',
  'In a [little|small] house by a [hill|river|wood], there lived {H.first}.',
  'This is a story about {H.first}.',
  'Not long ago, there {H.was} {H.first} with a big, kind heart.',
];

/** About the hero, without the thing {O}. */
export const TRAITS = [
  '{H.He} loved to [sing songs|run fast|draw pictures|look at the clouds|play outside|help others].',
  '{H.He} {H.was} always [curious|kind|busy|cheerful] and [full of questions|ready to play|quick to smile].',
  '{H.He} liked {foods} more than anything.',
  '{H.He} said hello to every {critter} {H.he} saw.',
  '{H.His} favorite color was {color}.',
  'Every morning, {H.he} ate {a} {food} for breakfast.',
  '{H.He} had {a} {color} [coat|hat|bag] and {a} [big|happy|loud] laugh.',
  'Everyone said that {H} had the best ideas.',
  '{H.He} liked to count the stars at night.',
  '{H.He} could run faster than the wind.',
];

/** About the hero's thing {O}; used when the plot is about it. */
export const LIKES_THING = [
  '{H.He} had {a} {O} that {H.he} loved very much.',
  '{H.His} favorite thing in the whole world was {a} {O}.',
  '{H.He} had {a} {O}, and {H.he} took it everywhere.',
  '[Grandma|Grandpa|A friend] had given {H.him} {a} {O}, and {H.he} loved it.',
  'Every day, {H.he} played with {H.his} {O}.',
  '{H.He} had {a} {O}. It was {H.his} [best|favorite] thing.',
];

/** Optional: the friend {F} in the opening. */
export const FRIEND_INTROS = [
  '{H.His} best friend was {F.first}.',
  '{H} often played with {F.first}.',
  '{H} lived next door to {F.first}.',
];

/** Going to the place {P}. */
export const GO_TO_PLACE = [
  'One {day} {time}, {H} went to {P}.',
  'That day, {H} [went|walked|ran] to {P}.',
  'Today, {H} {H.was} going to {P}.',
  '{H} [skipped|hopped|walked] all the way to {P}.',
  'It was {a} {day} day, so {H} went to play {P.in}.',
  '{H} loved to play {P.in}.',
  'One {day} day, {H} {H.was} {P.in}.',
  'After breakfast, {H} went to {P}.',
];

/** The very last line before THE END; only the hero appears in it. */
export const CLOSINGS = [
  'And {H} lived happily ever after.',
  'It was the best day ever.',
  'That night, {H} went to sleep with a big smile.',
  '{H} would never forget this day.',
  'And that was the end of a [happy|good|wonderful] day.',
  '{H.He} smiled all the way home.',
  'What a [wonderful|happy|lucky|busy] day it was!',
  'The sun went down, and {H} went home [happy|smiling|singing].',
  '{H.He} could not wait for tomorrow.',
  'And {H} [felt|{H.was}] happy for a long, long time.',
];

export const STORY_END = 'THE END';
