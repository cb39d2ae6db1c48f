import * as $protobuf from "protobufjs";
import Long = require("long");

export namespace mindspore {

    namespace straspb {

        interface IParallelStrategy extends mindspore.straspb.ParallelStrategy.$Properties {
        }

        class ParallelStrategy {
            constructor(p?: mindspore.straspb.ParallelStrategy.$Properties);
            $unknowns?: Uint8Array[];
            dim: number[];
            static create(properties: mindspore.straspb.ParallelStrategy.$Shape): mindspore.straspb.ParallelStrategy & mindspore.straspb.ParallelStrategy.$Shape;
            static create(properties?: mindspore.straspb.ParallelStrategy.$Properties): mindspore.straspb.ParallelStrategy;
            static encode(m: mindspore.straspb.ParallelStrategy.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.ParallelStrategy & mindspore.straspb.ParallelStrategy.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ParallelStrategy {
            interface $Properties {
                dim?: (number[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.ParallelStrategy.$Properties;
        }

        interface IParallelStrategys extends mindspore.straspb.ParallelStrategys.$Properties {
        }

        class ParallelStrategys {
            constructor(p?: mindspore.straspb.ParallelStrategys.$Properties);
            $unknowns?: Uint8Array[];
            stage: number;
            parallelStrategy: mindspore.straspb.ParallelStrategy.$Properties[];
            static create(properties: mindspore.straspb.ParallelStrategys.$Shape): mindspore.straspb.ParallelStrategys & mindspore.straspb.ParallelStrategys.$Shape;
            static create(properties?: mindspore.straspb.ParallelStrategys.$Properties): mindspore.straspb.ParallelStrategys;
            static encode(m: mindspore.straspb.ParallelStrategys.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.ParallelStrategys & mindspore.straspb.ParallelStrategys.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ParallelStrategys {
            interface $Properties {
                stage?: (number|null);
                parallelStrategy?: (mindspore.straspb.ParallelStrategy.$Properties[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.ParallelStrategys.$Properties;
        }

        interface IParallelStrategyItem extends mindspore.straspb.ParallelStrategyItem.$Properties {
        }

        class ParallelStrategyItem {
            constructor(p?: mindspore.straspb.ParallelStrategyItem.$Properties);
            $unknowns?: Uint8Array[];
            nodeName: string;
            parallelStrategys?: (mindspore.straspb.ParallelStrategys.$Properties|null);
            static create(properties: mindspore.straspb.ParallelStrategyItem.$Shape): mindspore.straspb.ParallelStrategyItem & mindspore.straspb.ParallelStrategyItem.$Shape;
            static create(properties?: mindspore.straspb.ParallelStrategyItem.$Properties): mindspore.straspb.ParallelStrategyItem;
            static encode(m: mindspore.straspb.ParallelStrategyItem.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.ParallelStrategyItem & mindspore.straspb.ParallelStrategyItem.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ParallelStrategyItem {
            interface $Properties {
                nodeName?: (string|null);
                parallelStrategys?: (mindspore.straspb.ParallelStrategys.$Properties|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.ParallelStrategyItem.$Properties;
        }

        interface IDevMatrix extends mindspore.straspb.DevMatrix.$Properties {
        }

        class DevMatrix {
            constructor(p?: mindspore.straspb.DevMatrix.$Properties);
            $unknowns?: Uint8Array[];
            dim: number[];
            static create(properties: mindspore.straspb.DevMatrix.$Shape): mindspore.straspb.DevMatrix & mindspore.straspb.DevMatrix.$Shape;
            static create(properties?: mindspore.straspb.DevMatrix.$Properties): mindspore.straspb.DevMatrix;
            static encode(m: mindspore.straspb.DevMatrix.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.DevMatrix & mindspore.straspb.DevMatrix.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace DevMatrix {
            interface $Properties {
                dim?: (number[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.DevMatrix.$Properties;
        }

        interface ITensorMap extends mindspore.straspb.TensorMap.$Properties {
        }

        class TensorMap {
            constructor(p?: mindspore.straspb.TensorMap.$Properties);
            $unknowns?: Uint8Array[];
            dim: number[];
            static create(properties: mindspore.straspb.TensorMap.$Shape): mindspore.straspb.TensorMap & mindspore.straspb.TensorMap.$Shape;
            static create(properties?: mindspore.straspb.TensorMap.$Properties): mindspore.straspb.TensorMap;
            static encode(m: mindspore.straspb.TensorMap.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.TensorMap & mindspore.straspb.TensorMap.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace TensorMap {
            interface $Properties {
                dim?: (number[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.TensorMap.$Properties;
        }

        interface IParamSplitShape extends mindspore.straspb.ParamSplitShape.$Properties {
        }

        class ParamSplitShape {
            constructor(p?: mindspore.straspb.ParamSplitShape.$Properties);
            $unknowns?: Uint8Array[];
            dim: (number|Long)[];
            static create(properties: mindspore.straspb.ParamSplitShape.$Shape): mindspore.straspb.ParamSplitShape & mindspore.straspb.ParamSplitShape.$Shape;
            static create(properties?: mindspore.straspb.ParamSplitShape.$Properties): mindspore.straspb.ParamSplitShape;
            static encode(m: mindspore.straspb.ParamSplitShape.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.ParamSplitShape & mindspore.straspb.ParamSplitShape.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ParamSplitShape {
            interface $Properties {
                dim?: ((number|Long)[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.ParamSplitShape.$Properties;
        }

        interface IIndicesOffset extends mindspore.straspb.IndicesOffset.$Properties {
        }

        class IndicesOffset {
            constructor(p?: mindspore.straspb.IndicesOffset.$Properties);
            $unknowns?: Uint8Array[];
            dim: (number|Long)[];
            static create(properties: mindspore.straspb.IndicesOffset.$Shape): mindspore.straspb.IndicesOffset & mindspore.straspb.IndicesOffset.$Shape;
            static create(properties?: mindspore.straspb.IndicesOffset.$Properties): mindspore.straspb.IndicesOffset;
            static encode(m: mindspore.straspb.IndicesOffset.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.IndicesOffset & mindspore.straspb.IndicesOffset.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace IndicesOffset {
            interface $Properties {
                dim?: ((number|Long)[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.IndicesOffset.$Properties;
        }

        interface IParallelLayouts extends mindspore.straspb.ParallelLayouts.$Properties {
        }

        class ParallelLayouts {
            constructor(p?: mindspore.straspb.ParallelLayouts.$Properties);
            $unknowns?: Uint8Array[];
            devMatrix: mindspore.straspb.DevMatrix.$Properties[];
            tensorMap: mindspore.straspb.TensorMap.$Properties[];
            paramSplitShape: mindspore.straspb.ParamSplitShape.$Properties[];
            indicesOffset: mindspore.straspb.IndicesOffset.$Properties[];
            field: number;
            optWeightShardStep: number;
            optWeightShardSize: number;
            static create(properties: mindspore.straspb.ParallelLayouts.$Shape): mindspore.straspb.ParallelLayouts & mindspore.straspb.ParallelLayouts.$Shape;
            static create(properties?: mindspore.straspb.ParallelLayouts.$Properties): mindspore.straspb.ParallelLayouts;
            static encode(m: mindspore.straspb.ParallelLayouts.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.ParallelLayouts & mindspore.straspb.ParallelLayouts.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ParallelLayouts {
            interface $Properties {
                devMatrix?: (mindspore.straspb.DevMatrix.$Properties[]|null);
                tensorMap?: (mindspore.straspb.TensorMap.$Properties[]|null);
                paramSplitShape?: (mindspore.straspb.ParamSplitShape.$Properties[]|null);
                indicesOffset?: (mindspore.straspb.IndicesOffset.$Properties[]|null);
                field?: (number|null);
                optWeightShardStep?: (number|null);
                optWeightShardSize?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.ParallelLayouts.$Properties;
        }

        interface IParallelLayoutItem extends mindspore.straspb.ParallelLayoutItem.$Properties {
        }

        class ParallelLayoutItem {
            constructor(p?: mindspore.straspb.ParallelLayoutItem.$Properties);
            $unknowns?: Uint8Array[];
            paramName: string;
            parallelLayouts?: (mindspore.straspb.ParallelLayouts.$Properties|null);
            static create(properties: mindspore.straspb.ParallelLayoutItem.$Shape): mindspore.straspb.ParallelLayoutItem & mindspore.straspb.ParallelLayoutItem.$Shape;
            static create(properties?: mindspore.straspb.ParallelLayoutItem.$Properties): mindspore.straspb.ParallelLayoutItem;
            static encode(m: mindspore.straspb.ParallelLayoutItem.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.ParallelLayoutItem & mindspore.straspb.ParallelLayoutItem.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ParallelLayoutItem {
            interface $Properties {
                paramName?: (string|null);
                parallelLayouts?: (mindspore.straspb.ParallelLayouts.$Properties|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.ParallelLayoutItem.$Properties;
        }

        interface IParallelGroupRanks extends mindspore.straspb.ParallelGroupRanks.$Properties {
        }

        class ParallelGroupRanks {
            constructor(p?: mindspore.straspb.ParallelGroupRanks.$Properties);
            $unknowns?: Uint8Array[];
            dim: number[];
            static create(properties: mindspore.straspb.ParallelGroupRanks.$Shape): mindspore.straspb.ParallelGroupRanks & mindspore.straspb.ParallelGroupRanks.$Shape;
            static create(properties?: mindspore.straspb.ParallelGroupRanks.$Properties): mindspore.straspb.ParallelGroupRanks;
            static encode(m: mindspore.straspb.ParallelGroupRanks.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.ParallelGroupRanks & mindspore.straspb.ParallelGroupRanks.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ParallelGroupRanks {
            interface $Properties {
                dim?: (number[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.ParallelGroupRanks.$Properties;
        }

        interface IParallelGroupItem extends mindspore.straspb.ParallelGroupItem.$Properties {
        }

        class ParallelGroupItem {
            constructor(p?: mindspore.straspb.ParallelGroupItem.$Properties);
            $unknowns?: Uint8Array[];
            groupName: string;
            parallelGroupRanks?: (mindspore.straspb.ParallelGroupRanks.$Properties|null);
            static create(properties: mindspore.straspb.ParallelGroupItem.$Shape): mindspore.straspb.ParallelGroupItem & mindspore.straspb.ParallelGroupItem.$Shape;
            static create(properties?: mindspore.straspb.ParallelGroupItem.$Properties): mindspore.straspb.ParallelGroupItem;
            static encode(m: mindspore.straspb.ParallelGroupItem.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.ParallelGroupItem & mindspore.straspb.ParallelGroupItem.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ParallelGroupItem {
            interface $Properties {
                groupName?: (string|null);
                parallelGroupRanks?: (mindspore.straspb.ParallelGroupRanks.$Properties|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.ParallelGroupItem.$Properties;
        }

        interface IParallelGroupMap extends mindspore.straspb.ParallelGroupMap.$Properties {
        }

        class ParallelGroupMap {
            constructor(p?: mindspore.straspb.ParallelGroupMap.$Properties);
            $unknowns?: Uint8Array[];
            parallelGroupItem: mindspore.straspb.ParallelGroupItem.$Properties[];
            ckptRestoreRankList?: (mindspore.straspb.ParallelGroupRanks.$Properties|null);
            static create(properties: mindspore.straspb.ParallelGroupMap.$Shape): mindspore.straspb.ParallelGroupMap & mindspore.straspb.ParallelGroupMap.$Shape;
            static create(properties?: mindspore.straspb.ParallelGroupMap.$Properties): mindspore.straspb.ParallelGroupMap;
            static encode(m: mindspore.straspb.ParallelGroupMap.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.ParallelGroupMap & mindspore.straspb.ParallelGroupMap.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ParallelGroupMap {
            interface $Properties {
                parallelGroupItem?: (mindspore.straspb.ParallelGroupItem.$Properties[]|null);
                ckptRestoreRankList?: (mindspore.straspb.ParallelGroupRanks.$Properties|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.ParallelGroupMap.$Properties;
        }

        interface IParallelStrategyMap extends mindspore.straspb.ParallelStrategyMap.$Properties {
        }

        class ParallelStrategyMap {
            constructor(p?: mindspore.straspb.ParallelStrategyMap.$Properties);
            $unknowns?: Uint8Array[];
            currentStage: number;
            parallelStrategyItem: mindspore.straspb.ParallelStrategyItem.$Properties[];
            parallelLayoutItem: mindspore.straspb.ParallelLayoutItem.$Properties[];
            static create(properties: mindspore.straspb.ParallelStrategyMap.$Shape): mindspore.straspb.ParallelStrategyMap & mindspore.straspb.ParallelStrategyMap.$Shape;
            static create(properties?: mindspore.straspb.ParallelStrategyMap.$Properties): mindspore.straspb.ParallelStrategyMap;
            static encode(m: mindspore.straspb.ParallelStrategyMap.$Properties, w?: $protobuf.Writer): $protobuf.Writer;
            static decode(r: ($protobuf.Reader|Uint8Array), l?: number): mindspore.straspb.ParallelStrategyMap & mindspore.straspb.ParallelStrategyMap.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ParallelStrategyMap {
            interface $Properties {
                currentStage?: (number|null);
                parallelStrategyItem?: (mindspore.straspb.ParallelStrategyItem.$Properties[]|null);
                parallelLayoutItem?: (mindspore.straspb.ParallelLayoutItem.$Properties[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = mindspore.straspb.ParallelStrategyMap.$Properties;
        }
    }
}
